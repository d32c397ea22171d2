"""Reports' jobs: `reports.remind`, every 5 minutes, the reminders due before deadlines
(reminders.py; once per template and period)."""

from __future__ import annotations

from bellwork.jobs.registry import JobContext, handler, recurring
from bellwork.jobs.schedules import Every
from bellwork.reports.reminders import REMIND, sweep


@handler(REMIND, max_attempts=3, backoff=30.0, timeout=300)
async def remind(job: JobContext) -> None:
    await sweep(job.db, job.now)


recurring(REMIND, REMIND, Every(300))
