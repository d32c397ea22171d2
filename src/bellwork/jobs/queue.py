"""The job table's operations: enqueue (in the caller's transaction), claim, finish, fail,
release, and what admins see and do (list, count, retry)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit.service import record
from bellwork.core.errors import Conflict, NotFound
from bellwork.db.base import utcnow
from bellwork.db.dialect import dialect_insert
from bellwork.db.session import on_commit, writing
from bellwork.jobs.models import DEAD, DONE, QUEUED, RUNNING, Job
from bellwork.jobs.registry import kind_of
from bellwork.runtime import Runtime, runtime_of

# The runner's own statements are Core statements on the table (not ORM ones on `Job`): they
# run several times per job, and the ORM's bulk-update machinery cost more than the queries.
JOB: Table = Job.__table__  # type: ignore[assignment]
C = JOB.c
ERROR_CHARS = 2000
BACKOFF_CAP = 3600.0  # seconds: the longest wait between two attempts


async def enqueue(
    db: AsyncSession,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    run_at: datetime | None = None,
    key: str | None = None,
) -> int:
    """Adds a job to the caller's transaction: it exists once that commits, and never if it
    rolls back. `run_at` (aware; default now) is the earliest it runs. A `key` makes it
    idempotent: while a job with that key exists (any state), enqueueing it again adds nothing
    and returns that job's id. Raises NoRuntime for a session not made by a runtime and
    UnknownJob for a kind without a handler."""
    runtime = runtime_of(db)
    spec = kind_of(kind)
    if key is not None and not 0 < len(key) <= 200:
        raise ValueError("a job key has 1 to 200 characters")
    at = run_at or utcnow()
    if at.tzinfo is None:
        raise ValueError("run_at must be timezone-aware")
    stmt = dialect_insert(db, Job).values(
        kind=kind,
        payload=payload or {},
        key=key,
        state=QUEUED,
        run_at=at,
        attempts=0,
        max_attempts=spec.max_attempts,
        created_at=utcnow(),
    )
    if key is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=["key"])
    job_id = (await db.execute(stmt.returning(Job.id))).scalar_one_or_none()
    if job_id is None:  # the key exists
        return int((await db.execute(select(Job.id).where(Job.key == key))).scalar_one())
    due = at.timestamp()

    async def wake() -> None:
        runtime.jobs_due.ring_at(due)

    on_commit(db, wake)
    return int(job_id)


async def cancel(db: AsyncSession, key: str) -> bool:
    """Takes back a job that has not started: deletes the queued job with this `key` in the
    caller's transaction (a job that runs or ran stays). Whether there was one; its key is
    free again."""
    done = await db.execute(
        JOB.delete()
        .where(C.key == key, C.state == QUEUED)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(done, "rowcount", 0))


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    payload: dict[str, Any]
    attempt: int
    max_attempts: int


async def next_times(
    runtime: Runtime,
) -> tuple[datetime | None, datetime | None, datetime | None]:
    """When the next queued job falls due, when the next lease runs out and when the next
    schedule falls due: one cheap query for a runner deciding how long to sleep."""
    from bellwork.jobs.models import JobSchedule

    stmt = select(
        select(func.min(C.run_at)).where(C.state == QUEUED).scalar_subquery(),
        select(func.min(C.lease_until)).where(C.state == RUNNING).scalar_subquery(),
        select(func.min(JobSchedule.next_at)).scalar_subquery(),
    )
    async with runtime.sessionmaker() as db:
        row = (await db.execute(stmt)).one()
    return _aware(row[0]), _aware(row[1]), _aware(row[2])


def _aware(value: Any) -> datetime | None:
    """min() over a UTC column: SQLite gives back text without the type's conversion."""
    if value is None:
        return None
    from bellwork.db.base import UTCDateTime

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return UTCDateTime().process_result_value(value, None)  # type: ignore[arg-type]


async def claim(
    runtime: Runtime, limit: int, now: datetime, lease: float, runner: str, lost: bool = True
) -> list[Claimed]:
    """Takes up to `limit` due jobs for `runner`, leased until now + `lease` seconds, and
    counts an attempt for each: first jobs whose lease ran out (their runner is gone; skipped
    when `lost` is false, i.e. the caller knows there are none), then queued ones by `run_at`.
    PostgreSQL: rows are picked FOR UPDATE SKIP LOCKED, so concurrent runners take different
    jobs. SQLite: the claim opens its transaction with BEGIN IMMEDIATE (it holds the database's
    one write lock from its first statement), so runners in other processes wait for it;
    runners of this process queue on the write gate first."""
    picks = [(C.state == QUEUED) & (C.run_at <= now)]
    if lost:
        picks.insert(0, (C.state == RUNNING) & (C.lease_until <= now))
    claimed: list[Claimed] = []
    async with writing(runtime.sessionmaker, runtime.write_gate) as db:
        if runtime.settings.is_sqlite:
            await db.execute(text("BEGIN IMMEDIATE"))
        for where in picks:
            if len(claimed) >= limit:
                break
            # Each pick is one index range of (state, run_at): no sort, no scan of the rest.
            pick = (
                select(C.id)
                .where(where)
                .order_by(C.run_at)
                .limit(limit - len(claimed))
                .with_for_update(skip_locked=True)
            )
            stmt = (
                update(JOB)
                .where(C.id.in_(pick.scalar_subquery()))
                .values(
                    state=RUNNING,
                    attempts=C.attempts + 1,
                    lease_until=now + timedelta(seconds=lease),
                    runner=runner[:100],
                )
                .returning(C.id, C.kind, C.payload, C.attempts, C.max_attempts)
            )
            rows = (await db.execute(stmt)).all()
            claimed += [Claimed(r[0], r[1], r[2] or {}, r[3], r[4]) for r in rows]
    return claimed


def _mine(job: Claimed) -> Any:
    """The job as this runner claimed it (no other runner has claimed it since)."""
    return and_(C.id == job.id, C.state == RUNNING, C.attempts == job.attempt)


async def hold(db: AsyncSession, job: Claimed, now: datetime, lease: float) -> bool:
    """Opens the job's transaction by locking its row (PostgreSQL; SQLite's write lock) for as
    long as the handler runs: while this runner lives no other can take the job, even past its
    lease. False if another runner took it meanwhile."""
    done = await db.execute(
        update(JOB).where(_mine(job)).values(lease_until=now + timedelta(seconds=lease))
    )
    return bool(getattr(done, "rowcount", 0) == 1)


async def finish(db: AsyncSession, job: Claimed, now: datetime) -> None:
    await db.execute(
        update(JOB).where(_mine(job)).values(state=DONE, finished_at=now, lease_until=None)
    )


def backoff(base: float, attempt: int) -> float:
    """Seconds before the next attempt: `base` doubled per failure so far, at most an hour,
    spread ±20 % so that jobs that failed together do not all come back together."""
    return min(BACKOFF_CAP, base * 2.0 ** (attempt - 1)) * random.uniform(0.8, 1.2)


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]


async def fail(runtime: Runtime, job: Claimed, error: str, now: datetime, base: float) -> bool:
    """Records a failed attempt: the job is queued again after a backoff, or dead once it has
    had its attempts. Returns whether it is dead."""
    dead = job.attempt >= job.max_attempts
    values: dict[str, Any] = {"last_error": error[:ERROR_CHARS], "lease_until": None}
    if dead:
        values.update(state=DEAD, finished_at=now)
    else:
        values.update(state=QUEUED, run_at=now + timedelta(seconds=backoff(base, job.attempt)))
    async with writing(runtime.sessionmaker, runtime.write_gate) as db:
        await db.execute(update(JOB).where(_mine(job)).values(**values))
    return dead


async def release(runtime: Runtime, job: Claimed, now: datetime) -> None:
    """Gives back a job this runner stops without running it to the end (shutting down): it
    is queued again at once, and the attempt does not count."""
    async with writing(runtime.sessionmaker, runtime.write_gate) as db:
        await db.execute(
            update(JOB)
            .where(_mine(job))
            .values(state=QUEUED, run_at=now, lease_until=None, attempts=C.attempts - 1)
        )


# ---------------------------------------------------------------- what admins see and do


async def list_jobs(
    db: AsyncSession, state: str | None, kind: str | None, before_id: int | None, limit: int
) -> list[Job]:
    """Jobs, newest first."""
    stmt = select(Job).order_by(Job.id.desc()).limit(limit)
    if state is not None:
        stmt = stmt.where(Job.state == state)
    if kind is not None:
        stmt = stmt.where(Job.kind == kind)
    if before_id is not None:
        stmt = stmt.where(Job.id < before_id)
    return list((await db.execute(stmt)).scalars())


async def count_states(db: AsyncSession) -> dict[str, int]:
    rows = await db.execute(select(Job.state, func.count()).group_by(Job.state))
    counts = {QUEUED: 0, RUNNING: 0, DONE: 0, DEAD: 0}
    counts.update({state: int(n) for state, n in rows.all()})
    return counts


async def count_dead(db: AsyncSession) -> int:
    """Dead jobs (waiting for an admin to look); by the (state, run_at) index."""
    n = await db.scalar(select(func.count()).select_from(Job).where(Job.state == DEAD))
    return int(n or 0)


async def retry(db: AsyncSession, job_id: int, actor_id: int | None) -> Job:
    """Queues a dead job again, with its attempts counted afresh (audited)."""
    job = (
        await db.execute(select(Job).where(Job.id == job_id).with_for_update())
    ).scalar_one_or_none()
    if job is None:
        raise NotFound("job")
    if job.state != DEAD:
        raise Conflict("job_not_dead")
    before = {"state": job.state, "attempts": job.attempts, "last_error": job.last_error}
    job.state = QUEUED
    job.attempts = 0
    job.run_at = utcnow()
    job.finished_at = None
    job.runner = None
    await record(db, actor_id, "job.retry", "job", job.id, before, {"state": QUEUED})
    runtime = runtime_of(db)

    async def wake() -> None:
        runtime.jobs_due.ring()

    on_commit(db, wake)
    return job
