"""Lessons tests use the media tests' real Janus."""

from tests.media.conftest import janus  # noqa: F401 - the fixture
