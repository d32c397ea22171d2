"""Meetings tests use the media tests' real Janus and the chat tests' live server."""

from tests.chat.conftest import live  # noqa: F401 - the fixture
from tests.media.conftest import janus  # noqa: F401 - the fixture
