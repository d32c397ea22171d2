"""Notices fixtures: chat's school (a class with a teacher, three students and their guardians,
an admin) and its live server for sockets; jobs' `bellwork worker` processes."""

from tests.chat.conftest import live, school
from tests.jobs.conftest import runtime, workers

__all__ = ["live", "runtime", "school", "workers"]
