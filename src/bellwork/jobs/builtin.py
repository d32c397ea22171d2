"""The jobs package's own recurring job: finished jobs are deleted after BELLWORK_JOBS_KEEP_DAYS
(dead ones stay until an admin retries them)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from bellwork.jobs.models import DONE, Job
from bellwork.jobs.registry import JobContext, handler, recurring
from bellwork.jobs.schedules import Every

PRUNE = "jobs.prune"


@handler(PRUNE)
async def prune(job: JobContext) -> None:
    keep = timedelta(days=job.runtime.settings.jobs_keep_days)
    await job.db.execute(delete(Job).where(Job.state == DONE, Job.finished_at < job.now - keep))


recurring(PRUNE, PRUNE, Every(3600))
