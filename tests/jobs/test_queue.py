"""A job is a row of the caller's transaction; it runs once, is retried with backoff, dies
with its last error, and is claimed again when its runner's lease runs out."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from bellwork.db.base import utcnow
from bellwork.db.engine import make_sessionmaker
from bellwork.db.session import unit_of_work
from bellwork.jobs import enqueue, queue
from bellwork.jobs.models import Job
from bellwork.jobs.registry import UnknownJob
from bellwork.jobs.runner import Runner, run_due
from bellwork.runtime import NoRuntime, Runtime

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def fixed(at: datetime) -> Callable[[], datetime]:
    return lambda: at


async def jobs(rt: Runtime) -> list[Job]:
    async with rt.sessionmaker() as db:
        return list((await db.execute(select(Job).order_by(Job.id))).scalars())


async def test_a_job_exists_only_if_its_transaction_commits(runtime: Runtime) -> None:
    async with unit_of_work(runtime.sessionmaker) as db:
        kept = await enqueue(db, "test.record", {"n": 1})
    with pytest.raises(RuntimeError):
        async with unit_of_work(runtime.sessionmaker) as db:
            await enqueue(db, "test.record", {"n": 2})
            raise RuntimeError("the change failed")
    rows = await jobs(runtime)
    assert [(j.id, j.kind, j.payload, j.state, j.attempts) for j in rows] == [
        (kept, "test.record", {"n": 1}, "queued", 0)
    ]


async def test_a_key_makes_enqueueing_idempotent(runtime: Runtime) -> None:
    async with unit_of_work(runtime.sessionmaker) as db:
        first = await enqueue(db, "test.record", key="once")
        again = await enqueue(db, "test.record", key="once")  # same transaction
    async with unit_of_work(runtime.sessionmaker) as db:
        later = await enqueue(db, "test.record", {"other": True}, key="once")
    assert first == again == later
    rows = await jobs(runtime)
    assert len(rows) == 1 and rows[0].payload == {}


async def test_enqueue_without_a_runtime_or_handler_is_an_error(runtime: Runtime) -> None:
    plain = make_sessionmaker(runtime.engine)  # as the CLI's importer makes its sessions
    async with plain() as db:
        with pytest.raises(NoRuntime):
            await enqueue(db, "test.record")
    async with runtime.sessionmaker() as db:
        with pytest.raises(UnknownJob):
            await enqueue(db, "test.no-such-kind")
        with pytest.raises(ValueError):
            await enqueue(db, "test.record", run_at=datetime(2026, 1, 1))  # naive
    assert await jobs(runtime) == []


async def test_the_embedded_runner_runs_a_job_at_once_and_once(app: Any, runs: Any) -> None:
    """As `bellwork serve` does (on SQLite by default): the app's own runner, woken by the
    commit rather than by polling."""
    rt: Runtime = app.state.runtime
    assert rt.runner is not None
    started = time.monotonic()
    async with unit_of_work(rt.sessionmaker) as db:
        job_id = await enqueue(db, "test.record")
    while not await runs():
        assert time.monotonic() - started < 5
        await asyncio.sleep(0.02)
    assert await runs() == [(job_id, 1, os.getpid())]
    for _ in range(50):
        if (await jobs(rt))[0].state == "done":
            break
        await asyncio.sleep(0.02)
    job = (await jobs(rt))[0]
    assert (job.state, job.attempts, job.lease_until) == ("done", 1, None)
    assert job.finished_at is not None


async def test_a_job_waits_for_its_time(app: Any, runs: Any) -> None:
    rt: Runtime = app.state.runtime
    async with unit_of_work(rt.sessionmaker) as db:
        await enqueue(db, "test.record", run_at=utcnow() + timedelta(seconds=0.8))
    started = time.monotonic()
    while not await runs():
        assert time.monotonic() - started < 4
        await asyncio.sleep(0.02)
    assert time.monotonic() - started >= 0.7


async def test_failures_back_off_then_the_job_is_dead_with_its_last_error(
    runtime: Runtime,
) -> None:
    async with unit_of_work(runtime.sessionmaker) as db:
        await enqueue(db, "test.fail", run_at=T0)
    now = T0
    waits = []
    for attempt in (1, 2, 3):
        assert await run_due(runtime, clock=fixed(now)) == 1
        assert await run_due(runtime, clock=fixed(now)) == 0  # not again before its time
        job = (await jobs(runtime))[0]
        assert job.attempts == attempt and job.last_error == f"ValueError: boom {attempt}"
        if attempt < 3:
            assert job.state == "queued"
            waits.append((job.run_at - now).total_seconds())
            now = job.run_at
    assert 8 <= waits[0] <= 12 and 16 <= waits[1] <= 24  # 10 s, then 20 s (±20 %)
    assert (job.state, job.finished_at) == ("dead", T0 + timedelta(seconds=sum(waits)))
    await run_due(runtime, clock=lambda: now + timedelta(days=1))
    job = (await jobs(runtime))[0]
    assert (job.state, job.attempts) == ("dead", 3)  # until an admin retries it


async def test_a_failed_attempt_writes_nothing_a_retry_writes_once(
    runtime: Runtime, runs: Any
) -> None:
    """The handler's writes commit with "done" or not at all."""
    async with unit_of_work(runtime.sessionmaker) as db:
        job_id = await enqueue(db, "test.record", {"fail_times": 2}, run_at=T0)
    now = T0
    for _ in range(3):
        await run_due(runtime, clock=fixed(now))
        now += timedelta(minutes=1)
    assert await runs() == [(job_id, 3, os.getpid())]
    job = (await jobs(runtime))[0]
    assert (job.state, job.attempts, job.last_error) == ("done", 3, "ValueError: boom 2")


async def test_a_lost_runners_job_is_claimed_again_after_its_lease(
    runtime: Runtime, runs: Any
) -> None:
    async with unit_of_work(runtime.sessionmaker) as db:
        job_id = await enqueue(db, "test.record", run_at=T0)
    lease = runtime.settings.jobs_lease_seconds
    # A runner claims it and is never heard of again.
    taken = await queue.claim(runtime, 10, T0, lease, "gone:1")
    assert [c.id for c in taken] == [job_id]
    assert await run_due(runtime, clock=lambda: T0 + timedelta(seconds=lease - 1)) == 0
    assert await run_due(runtime, clock=lambda: T0 + timedelta(seconds=lease + 1)) == 1
    assert [(j, a) for j, a, _ in await runs()] == [(job_id, 2)]
    assert (await jobs(runtime))[0].state == "done"


async def test_a_job_whose_runners_keep_dying_ends_dead(runtime: Runtime, runs: Any) -> None:
    async with unit_of_work(runtime.sessionmaker) as db:
        await enqueue(db, "test.record", run_at=T0)  # max_attempts 5
    now = T0
    for _ in range(5):
        assert len(await queue.claim(runtime, 10, now, 1.0, "dies")) == 1
        now += timedelta(seconds=2)
    assert await run_due(runtime, clock=fixed(now)) == 1
    job = (await jobs(runtime))[0]
    assert job.state == "dead" and job.attempts == 6
    assert job.last_error == "its runner was lost 5 times (lease ran out)"
    assert await runs() == []


async def test_a_stopping_runner_gives_its_jobs_back(runtime: Runtime, runs: Any) -> None:
    async with unit_of_work(runtime.sessionmaker) as db:
        await enqueue(db, "test.record", {"sleep": 30})
    runner = Runner(runtime)
    await runner.start()
    for _ in range(200):
        if runner.active:
            break
        await asyncio.sleep(0.02)
    assert runner.active
    await runner.stop(grace=0.1)
    job = (await jobs(runtime))[0]
    assert (job.state, job.attempts, job.lease_until) == ("queued", 0, None)
    assert await runs() == []


async def test_the_claim_takes_each_job_once_among_concurrent_runners(
    runtime: Runtime,
) -> None:
    """Many concurrent claims in one process (several connections on PostgreSQL; the write
    gate on SQLite): no job is handed out twice."""
    async with unit_of_work(runtime.sessionmaker) as db:
        for _ in range(60):
            await enqueue(db, "test.record", run_at=T0)
    got = await asyncio.gather(*(queue.claim(runtime, 7, T0, 30, f"r{i}") for i in range(12)))
    ids = [c.id for batch in got for c in batch]
    assert len(ids) == len(set(ids)) == 60
    async with runtime.engine.connect() as conn:
        states = (await conn.execute(text("SELECT DISTINCT state FROM job"))).scalars().all()
    assert states == ["running"]


async def test_finished_jobs_are_pruned_after_the_kept_days_dead_ones_stay(
    runtime: Runtime, runs: Any
) -> None:
    keep = runtime.settings.jobs_keep_days
    async with unit_of_work(runtime.sessionmaker) as db:
        old = await enqueue(db, "test.record", run_at=T0)
        await enqueue(db, "test.fail", run_at=T0)
    now = T0
    for _ in range(3):  # test.record is done, test.fail dies
        await run_due(runtime, clock=fixed(now))
        now += timedelta(minutes=5)
    now = T0 + timedelta(days=2)
    async with unit_of_work(runtime.sessionmaker) as db:
        recent = await enqueue(db, "test.record", run_at=now)
    await run_due(runtime, clock=fixed(now))
    later = T0 + timedelta(days=keep, hours=1)
    async with unit_of_work(runtime.sessionmaker) as db:
        await enqueue(db, "jobs.prune", run_at=later)
    await run_due(runtime, clock=fixed(later))
    left = {(j.kind, j.state) for j in await jobs(runtime)}
    ids = {j.id for j in await jobs(runtime)}
    assert old not in ids and recent in ids
    assert ("test.fail", "dead") in left


async def test_jobs_claimed_ahead_go_back_when_the_runner_stops(
    runtime: Runtime, runs: Any
) -> None:
    """While jobs are short a runner claims as many again as it has slots (one claim for
    several jobs); those it had not started are given back, uncounted, when it stops."""
    async with unit_of_work(runtime.sessionmaker) as db:
        for _ in range(6):
            await enqueue(db, "test.record", {"sleep": 30})
    runner = Runner(runtime, concurrency=2)
    runner._took = 0.0  # as after a run of quick jobs
    await runner.start()
    for _ in range(200):
        if len(runner.active) == 2:
            break
        await asyncio.sleep(0.02)
    rows = await jobs(runtime)
    assert sorted(j.state for j in rows) == ["queued"] * 2 + ["running"] * 4
    await runner.stop(grace=0.1)
    rows = await jobs(runtime)
    assert {(j.state, j.attempts, j.lease_until) for j in rows} == {("queued", 0, None)}
    assert await runs() == []
