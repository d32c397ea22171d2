"""Chat's jobs: burning opened private messages, and the sweep behind it.

Burning is one job per opened message: `burn.open_private` enqueues `chat.burn` in the
transaction that opens the message, due at its deadline and keyed by the message (opening
happens once; the key makes a repeat add nothing). A job per message rather than a recurring
sweep, because the message then burns at its deadline, not up to a sweep interval later, on
whichever node or worker is free; an idle server does no work; and the deadline survives a
restart as a row, with no announcement on the realtime bus. The handler burns every message
that is due (`burn_expired`), so a job also takes any other that is overdue.

`chat.sweep` (every 10 minutes) is the safety net: it burns what is overdue without a job of
its own (opened before the job table existed, a deadline changed by hand) and shreds key files
that belong to no row (`sweep_orphan_keys`). Key files live in the data folder, which nodes
and workers share, so any of them may run either job.
"""

from __future__ import annotations

from bellwork.chat.burn import burn_expired, sweep_orphan_keys
from bellwork.db.engine import scrub_sqlite
from bellwork.db.session import on_commit
from bellwork.jobs.registry import JobContext, handler, recurring
from bellwork.jobs.schedules import Every

BURN = "chat.burn"
SWEEP = "chat.sweep"
SWEEP_EVERY = 600.0  # seconds


@handler(BURN, max_attempts=20, backoff=1.0)
async def burn(job: JobContext) -> None:
    """Burns the messages that are due (the one this job is for among them)."""
    burned = await burn_expired(job.db, job.runtime.data_dir)
    if burned:
        engine = job.runtime.engine

        async def scrub() -> None:
            await scrub_sqlite(engine)

        on_commit(job.db, scrub)


@handler(SWEEP)
async def sweep(job: JobContext) -> None:
    await burn(job)
    await sweep_orphan_keys(job.db, job.runtime.data_dir)


recurring(SWEEP, SWEEP, Every(SWEEP_EVERY))
