"""The chat fixtures the socket tests share: a live server and a small school."""

from tests.chat.conftest import live, school  # noqa: F401 - fixtures used by tests here
