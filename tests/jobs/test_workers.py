"""`bellwork worker` processes: with two of them every job runs exactly once, and the job of a
worker killed with SIGKILL is run again by another once its lease runs out. Real processes on
the test's database (PostgreSQL or one SQLite file)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bellwork.db.session import unit_of_work
from bellwork.jobs import enqueue
from bellwork.jobs.models import Job
from bellwork.runtime import Runtime
from tests.jobs.conftest import Workers


async def enqueue_many(rt: Runtime, n: int, **payload: Any) -> list[int]:
    async with unit_of_work(rt.sessionmaker) as db:
        return [await enqueue(db, "test.record", payload) for _ in range(n)]


async def ready(workers: Workers, i: int) -> None:
    started = time.monotonic()
    while "runs jobs" not in workers.log(i):
        assert workers.procs[i].returncode is None, workers.log(i)
        assert time.monotonic() - started < 30, workers.log(i)
        await asyncio.sleep(0.05)


async def all_done(rt: Runtime, ids: list[int], seconds: float) -> None:
    started = time.monotonic()
    while True:
        async with rt.sessionmaker() as db:
            done = (
                await db.execute(select(func.count()).where(Job.id.in_(ids), Job.state == "done"))
            ).scalar_one()
        if done == len(ids):
            return
        assert time.monotonic() - started < seconds, f"{done} of {len(ids)} done"
        await asyncio.sleep(0.1)


async def test_two_workers_run_every_job_exactly_once(
    runtime: Runtime, runs: Any, workers: Workers
) -> None:
    for _ in range(2):
        await workers.start(concurrency=4)
    for i in range(2):
        await ready(workers, i)
    ids = await enqueue_many(runtime, 400, sleep=0.002)
    await all_done(runtime, ids, 120)
    rows = await runs()
    per_job = Counter(job_id for job_id, _, _ in rows)
    assert len(rows) == 400 and set(per_job) == set(ids) and set(per_job.values()) == {1}
    by_worker = Counter(pid for _, _, pid in rows)
    assert set(by_worker) == {p.pid for p in workers.procs}, by_worker  # both took part
    assert {attempt for _, attempt, _ in rows} == {1}
    print(f"\nexecutions per job: {dict(Counter(per_job.values()))}; per worker: {by_worker}")


async def test_a_killed_workers_job_runs_again_on_another_after_its_lease(
    runtime: Runtime, runs: Any, workers: Workers, tmp_path: Path
) -> None:
    lease = {"BELLWORK_JOBS_LEASE_SECONDS": "2"}
    first = await workers.start(**lease)
    await ready(workers, 0)
    started = tmp_path / "started.txt"
    [slow] = await enqueue_many(runtime, 1, hang_first=120, started=str(started))
    others = await enqueue_many(runtime, 20)
    t0 = time.monotonic()
    while not started.exists() or not started.read_text():
        assert time.monotonic() - t0 < 30, workers.log(0)
        await asyncio.sleep(0.02)
    assert started.read_text().split() == [str(slow), str(first.pid), "1"]
    first.kill()  # SIGKILL, mid-job
    await first.wait()
    killed = time.monotonic()
    second = await workers.start(**lease)
    await all_done(runtime, [slow, *others], 60)
    rerun_after = time.monotonic() - killed
    starts = [line.split() for line in started.read_text().splitlines()]
    assert starts == [[str(slow), str(first.pid), "1"], [str(slow), str(second.pid), "2"]]
    rows = await runs()
    assert [(j, a, p) for j, a, p in rows if j == slow] == [(slow, 2, second.pid)]
    per_job = Counter(job_id for job_id, _, _ in rows)
    assert set(per_job) == {slow, *others} and set(per_job.values()) == {1}
    async with runtime.sessionmaker() as db:
        job = await db.get(Job, slow)
    assert job is not None and (job.state, job.attempts) == ("done", 2)
    print(
        f"\nkill -9: the slow job started {len(starts)} times (worker {first.pid} killed, "
        f"{second.pid} ran it), committed {per_job[slow]} time; {len(rows)} executions "
        f"committed for {len(per_job)} jobs; re-run {rerun_after:.1f} s after the kill"
    )
