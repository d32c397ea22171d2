"""DING fixtures: chat's school (a class with a teacher, three students and their guardians,
an admin) and its live server for sockets."""

from tests.chat.conftest import live, school

__all__ = ["live", "school"]
