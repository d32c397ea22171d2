"""`bellwork serve`'s own Janus: started with the written config, started again when it dies,
stopped on shutdown, run by one process of an installation only."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from bellwork.config import Settings
from bellwork.media import local
from bellwork.media.janus import JanusClient
from bellwork.media.supervisor import JanusSupervisor, wanted
from tests.media.conftest import JANUS, needs_janus


def test_wanted_follows_the_settings(tmp_path: Path) -> None:
    listed = [{"name": "sfu1", "url": "http://10.0.0.5:8088/janus"}]
    assert wanted(Settings(data_dir=tmp_path, janus_run="never")) is None
    assert wanted(Settings(data_dir=tmp_path, janus_run="auto", janus_servers=listed)) is None
    missing = Settings(data_dir=tmp_path, janus_run="always", janus_binary="/nonexistent/janus")
    assert wanted(missing) is None
    if JANUS is not None:
        assert wanted(Settings(data_dir=tmp_path, janus_run="auto")) == JANUS
        assert wanted(Settings(data_dir=tmp_path, janus_run="always", janus_servers=listed))


async def _answers(spec: local.LocalJanus) -> bool:
    client = JanusClient(spec.url)
    try:
        return (await client.info())["server-name"] == "bellwork"
    finally:
        await client.close()


async def _until(check: object, seconds: float = 15.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if callable(check) and check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


@needs_janus
async def test_janus_is_started_restarted_after_a_crash_and_stopped(tmp_path: Path) -> None:
    assert JANUS is not None
    settings = Settings(data_dir=tmp_path, janus_ice_enforce_list="127.0.0.1")
    supervisor = JanusSupervisor(settings, JANUS, first_delay=0.1)
    second = JanusSupervisor(settings, JANUS, first_delay=0.1, lock_every=0.1)
    await supervisor.start()
    try:
        await asyncio.wait_for(supervisor.ready.wait(), 15)
        first = local.running(tmp_path)
        assert first is not None and first.pid == supervisor.state.pid
        assert await _answers(first)
        # Another process of the installation waits for the lock instead of a second Janus.
        await second.start()
        await asyncio.sleep(0.3)
        assert second.process is None and second.state.starts == 0

        os.kill(first.pid, signal.SIGKILL)  # a crash
        await _until(lambda: supervisor.state.starts == 2 and supervisor.ready.is_set())
        again = local.running(tmp_path)
        assert again is not None and again.pid != first.pid
        assert supervisor.state.last_exit == -signal.SIGKILL
        assert await _answers(again)
        assert (again.admin_secret, again.admin_key) == (first.admin_secret, first.admin_key)
    finally:
        await supervisor.stop()
    # Stopped: the process is gone and nobody is told it answers.
    assert local.running(tmp_path) is None
    await _until(lambda: not Path(f"/proc/{again.pid}").exists() or _zombie(again.pid))
    # The waiting process takes over once the lock is free.
    try:
        await asyncio.wait_for(second.ready.wait(), 15)
        assert second.state.starts == 1
    finally:
        await second.stop()


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True
