"""Push fixtures: a local Web Push service (push_server.py), the app allowed to push to it,
chat's school and live server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bellwork.config import Settings
from bellwork.runtime import Runtime
from tests.chat.conftest import live, school
from tests.push.push_server import PushServer

__all__ = ["live", "school"]


@pytest.fixture
async def pushsrv() -> AsyncIterator[PushServer]:
    server = PushServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def app_settings(settings: Settings, pushsrv: PushServer) -> Settings:
    return settings.model_copy(
        update={"push_hosts": "127.0.0.1", "push_timeout": 1.0, "vapid_subject": None}
    )


@pytest.fixture
async def runtime(app: Any) -> AsyncIterator[Runtime]:
    """The app's runtime with its embedded runner stopped: the test runs jobs, with a clock."""
    rt: Runtime = app.state.runtime
    if rt.runner is not None:
        await rt.runner.stop()
        rt.runner = None
    yield rt
