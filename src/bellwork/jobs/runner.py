"""The loop that runs jobs: inside `bellwork serve` (embedded default) and in each
`bellwork worker` process.

A runner sleeps until the earliest of: the next job's `run_at`, the next schedule, a lease
that runs out, a job this process just enqueued (`runtime.jobs_due`), or `jobs_poll_seconds`
(jobs other processes enqueued). Then it enqueues due schedules, claims as many due jobs as it
has free slots, and runs each in a task:

1. one transaction per job: it opens by locking the job's row (`queue.hold`), runs the
   handler in it, and marks the job done in it. What the handler writes and "done" commit
   together, or neither does, so a job's database work happens exactly once.
2. a handler that raises (or outlives its timeout) rolls back; the failure is recorded and
   the job queued again after an exponential backoff, or dead after its last attempt.
3. a runner that dies (SIGKILL, a lost machine) leaves its jobs `running`; its lock goes with
   its connection, and once the lease runs out another runner claims them again. Work done
   outside the database (files, messages to other systems) may thus happen more than once:
   handlers make it idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime

from bellwork.db.base import utcnow
from bellwork.db.session import writing
from bellwork.jobs import queue, schedules
from bellwork.jobs.registry import JobContext, UnknownJob, kind_of
from bellwork.runtime import Runtime

log = logging.getLogger("bellwork.jobs")

RETRY_SECONDS = 5.0  # after the database failed the runner itself
STOP_GRACE = 5.0  # seconds running jobs get to finish when the runner stops


class LeaseLost(Exception):
    """Another runner claimed the job since this one did (its lease had run out)."""


class Runner:
    def __init__(
        self,
        runtime: Runtime,
        *,
        concurrency: int | None = None,
        name: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        settings = runtime.settings
        self.runtime = runtime
        self.concurrency = concurrency or settings.jobs_concurrency
        self.lease = settings.jobs_lease_seconds
        self.poll = settings.jobs_poll_seconds
        self.timeout = settings.jobs_timeout_seconds
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.clock = clock
        self.alarm = runtime.jobs_due
        self.active: dict[asyncio.Task[None], queue.Claimed] = {}
        self.finished = 0  # jobs this runner ran to the end (done or failed)
        self._loop_task: asyncio.Task[None] | None = None
        self._backlog = False  # the last claim got all it asked for
        self._look_by = 0.0  # monotonic time by which to look at the table again
        # Claimed ahead for slots about to free up, while jobs are short (see `_claim`).
        self._ready: deque[queue.Claimed] = deque()
        self._took = self.lease  # seconds a job takes, smoothed; long until measured

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self._loop_task = asyncio.create_task(self._loop(), name=f"jobs runner {self.name}")

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Stops claiming; gives running jobs `grace` seconds, then cancels them and gives
        them back to the queue."""
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None
        if self.active:
            await asyncio.wait(list(self.active), timeout=grace)
        left = dict(self.active)
        for task in left:
            task.cancel()
        for task in left:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for job in [*left.values(), *self._ready]:
            with contextlib.suppress(Exception):
                await queue.release(self.runtime, job, self.clock())
        self._ready.clear()

    async def _loop(self) -> None:
        while True:
            try:
                async with writing(self.runtime.sessionmaker, self.runtime.write_gate) as db:
                    await schedules.sync_declared(db, self.clock())
                break
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception(
                    "could not set up the declared schedules; again in %.0f s", RETRY_SECONDS
                )
                await asyncio.sleep(RETRY_SECONDS)
        while True:
            self.alarm.reset()  # what is enqueued from here on wakes the next sleep
            try:
                wake = await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job runner failed; trying again in %.0f s", RETRY_SECONDS)
                wake = time.time() + RETRY_SECONDS
            await self.alarm.sleep_until(wake)

    # ------------------------------------------------------------ one round

    async def tick(self) -> float:
        """Enqueues due schedules and starts due jobs in free slots; returns when to look
        again (a time.time() value)."""
        now = self.clock()
        while self._ready and len(self.active) < self.concurrency:
            self._start(self._ready.popleft())
        free = self.concurrency - len(self.active)
        if time.monotonic() < self._look_by:
            if free == 0:
                return time.time() + self.poll  # a finishing job rings the alarm
            if self._backlog and await self._claim(free, now, lost=False):
                return 0.0  # the last claim took all it asked for: more may be due
        self._look_by = time.monotonic() + self.poll
        queued_at, lease_at, schedule_at = await queue.next_times(self.runtime)
        if schedule_at is not None and schedule_at <= now:
            async with writing(self.runtime.sessionmaker, self.runtime.write_gate) as db:
                await schedules.enqueue_due(db, now)
            self._backlog = True
            return 0.0  # there are jobs now
        lost = lease_at is not None and lease_at <= now
        due = lost or (queued_at is not None and queued_at <= now)
        if due and free > 0 and await self._claim(free, now, lost):
            return 0.0
        wake = time.time() + self.poll
        if free > 0:  # else a finishing job rings the alarm
            for t in (queued_at, lease_at, schedule_at):
                if t is not None and t > now:
                    wake = min(wake, time.time() + (t - now).total_seconds())
        return wake

    async def _claim(self, free: int, now: datetime, lost: bool) -> int:
        """Claims jobs for the free slots and, while jobs take little of a lease, as many
        again for the slots that free up next: one claim per several jobs instead of one per
        job. A job claimed ahead starts within about `_took` seconds; should its lease run
        out first and another runner take it, `hold` notices and this runner drops it."""
        ahead = self.concurrency if self._took * 8 < self.lease else 0
        ask = free + ahead
        claimed = await queue.claim(self.runtime, ask, now, self.lease, self.name, lost)
        self._backlog = len(claimed) == ask
        for job in claimed[:free]:
            self._start(job)
        self._ready.extend(claimed[free:])
        return len(claimed)

    def _start(self, job: queue.Claimed) -> None:
        task = asyncio.create_task(self.run(job))
        self.active[task] = job
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.active.pop(task, None)
        self.finished += 1
        self.alarm.ring()  # a free slot

    async def run(self, job: queue.Claimed) -> None:
        """Runs one claimed job to done, failed or dead."""
        started = time.monotonic()
        try:
            await self._run(job)
        finally:
            self._took = 0.8 * self._took + 0.2 * (time.monotonic() - started)

    async def _run(self, job: queue.Claimed) -> None:
        runtime = self.runtime
        try:
            spec = kind_of(job.kind)
        except UnknownJob as exc:
            await queue.fail(runtime, job, str(exc), self.clock(), 60.0)
            return
        if job.attempt > job.max_attempts:  # its runners kept dying
            error = f"its runner was lost {job.attempt - 1} times (lease ran out)"
            await queue.fail(runtime, job, error, self.clock(), spec.backoff)
            return
        try:
            async with asyncio.timeout(spec.timeout or self.timeout):
                async with writing(runtime.sessionmaker, runtime.write_gate) as db:
                    now = self.clock()
                    if not await queue.hold(db, job, now, self.lease):
                        raise LeaseLost
                    ctx = JobContext(job.id, job.kind, job.payload, job.attempt, db, runtime, now)
                    await spec.run(ctx)
                    await queue.finish(db, job, self.clock())
        except LeaseLost:
            log.warning("job %d (%s) was taken by another runner", job.id, job.kind)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if isinstance(exc, TimeoutError):
                exc = TimeoutError(f"did not finish within {spec.timeout or self.timeout:g} s")
            dead = await queue.fail(runtime, job, queue.error_text(exc), self.clock(), spec.backoff)
            log.log(
                logging.ERROR if dead else logging.WARNING,
                "job %d (%s) failed, attempt %d of %d%s",
                job.id,
                job.kind,
                job.attempt,
                job.max_attempts,
                ": dead" if dead else "",
                exc_info=exc,
            )


async def run_due(runtime: Runtime, clock: Callable[[], datetime] = utcnow) -> int:
    """Runs every job due at `clock()` one after another in this task, schedules included,
    until none is due; returns how many ran. For tests (with a fixed clock) and tools."""
    runner = Runner(runtime, concurrency=1, clock=clock, name="run_due")
    ran = 0
    async with writing(runtime.sessionmaker, runtime.write_gate) as db:
        await schedules.sync_declared(db, clock())
    while True:
        now = clock()
        async with writing(runtime.sessionmaker, runtime.write_gate) as db:
            await schedules.enqueue_due(db, now)
        claimed = await queue.claim(runtime, 1, now, runner.lease, runner.name)
        if not claimed:
            return ran
        await runner.run(claimed[0])
        ran += 1
