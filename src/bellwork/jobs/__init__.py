"""Durable jobs and recurring schedules (DESIGN.md, "Jobs are rows").

A job is a row in the `job` table, written in the same transaction as the change that needs it,
so a change that rolls back schedules nothing and a change that commits cannot lose its job:

    from bellwork.jobs import enqueue
    await enqueue(db, "chat.burn", {"message": msg.id}, run_at=msg.expires_at,
                  key=f"chat.burn:{msg.id}")        # idempotent: one job per message

Each domain registers the handlers of its kinds in its own `jobs.py` (`registry.py` lists them):

    @handler("chat.burn")
    async def burn(job: JobContext) -> None: ...    # job.db is the job's transaction

Runners (`runner.py`) run them: one inside `bellwork serve` by default, or any number of
`bellwork worker` processes. Claiming is `FOR UPDATE SKIP LOCKED` on PostgreSQL and one
`BEGIN IMMEDIATE` transaction behind the node's write gate on SQLite; a claim is a lease, so the
job of a runner that died is claimed again once its lease runs out; failures are retried with
exponential backoff and, after the kind's `max_attempts`, the job is dead with its last error
until an admin retries it (`GET /api/v1/jobs`, the web page Jobs, `bellwork jobs`).
`schedules.py` adds recurring jobs ("07:00 on weekdays in the unit's time zone").

Why no library: procrastinate, pgqueuer and PgQ are PostgreSQL-only (LISTEN/NOTIFY, PL/pgSQL,
advisory locks); saq, arq, Celery, Dramatiq and RQ keep jobs in Redis or a broker, outside the
transaction of the change (a rolled-back change would still have scheduled its job) and need a
server the embedded default does not have; APScheduler 3 keeps no per-job state (no leases,
no dead letters) and APScheduler 4 is pre-release. None serves SQLite and PostgreSQL alike with
the job in the caller's transaction, which is what Bellwork needs from one to many nodes. What
is here is a table, one claim statement and a loop (about 600 lines with schedules).
"""

from bellwork.jobs.queue import cancel, enqueue
from bellwork.jobs.registry import JobContext, handler, recurring
from bellwork.jobs.schedules import WEEKDAYS, Daily, Every, schedule, unschedule

__all__ = [
    "WEEKDAYS",
    "Daily",
    "Every",
    "JobContext",
    "cancel",
    "enqueue",
    "handler",
    "recurring",
    "schedule",
    "unschedule",
]
