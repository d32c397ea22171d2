"""Job fixtures: the `test_job_run` table the test handlers write to, an app whose embedded
runner is stopped (so a test decides who runs jobs, and when), and `bellwork worker`
processes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bellwork.config import Settings
from bellwork.runtime import Runtime
from tests.jobs import handlers  # noqa: F401 - registers the test kinds
from tests.jobs.handlers import RUNS_TABLE

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def runs(app: Any) -> AsyncIterator[Callable[..., Any]]:
    """An empty `test_job_run`; returns a function that reads it: [(job_id, attempt, pid)]."""
    rt: Runtime = app.state.runtime
    async with rt.engine.begin() as conn:
        await conn.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS {RUNS_TABLE}"
                " (job_id BIGINT NOT NULL, attempt INTEGER NOT NULL, pid INTEGER NOT NULL)"
            )
        )
        await conn.execute(text(f"DELETE FROM {RUNS_TABLE}"))

    async def read() -> list[tuple[int, int, int]]:
        async with rt.engine.connect() as conn:
            rows = await conn.execute(text(f"SELECT job_id, attempt, pid FROM {RUNS_TABLE}"))
            return [(int(a), int(b), int(c)) for a, b, c in rows]

    yield read


@pytest.fixture
async def runtime(app: Any) -> AsyncIterator[Runtime]:
    """The app's runtime with its embedded runner stopped."""
    rt: Runtime = app.state.runtime
    if rt.runner is not None:
        await rt.runner.stop()
        rt.runner = None
    yield rt


class Workers:
    """`bellwork worker` processes on the test's database (and `bellwork serve` app nodes,
    `start(command="serve", BELLWORK_PORT=...)`, which run jobs too)."""

    def __init__(self, settings: Settings, tmp: Path) -> None:
        self.settings = settings
        self.tmp = tmp
        self.procs: list[asyncio.subprocess.Process] = []

    async def start(
        self, concurrency: int = 4, command: str = "worker", **env: str
    ) -> asyncio.subprocess.Process:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("BELLWORK_")}
        environ.update(
            BELLWORK_DATABASE_URL=self.settings.effective_database_url,
            BELLWORK_DATA_DIR=str(self.settings.data_dir),
            BELLWORK_JOBS_MODULES="tests.jobs.handlers",
            BELLWORK_JOBS_POLL_SECONDS="0.2",
            PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
            LANG="en_US.UTF-8",
            **env,
        )
        log = open(self.tmp / f"worker-{len(self.procs)}.log", "wb")  # noqa: SIM115
        args = ["worker", "--concurrency", str(concurrency)] if command == "worker" else [command]
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bellwork",
            *args,
            env=environ,
            cwd=str(ROOT),
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def log(self, i: int) -> str:
        return (self.tmp / f"worker-{i}.log").read_text(errors="replace")

    async def stop_all(self) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()


@pytest.fixture
async def workers(runtime: Runtime, settings: Settings, tmp_path: Path) -> AsyncIterator[Workers]:
    w = Workers(settings, tmp_path)
    try:
        yield w
    finally:
        await w.stop_all()
