"""Approvals' jobs: `approvals.overdue`, every 5 minutes, DINGs the approvers of steps waiting
past their flow's `overdue_hours` (overdue.py; once per task); `approvals.loose_files`, hourly,
deletes files uploaded for a comment that was never written (after a day)."""

from __future__ import annotations

from bellwork.approvals.models import ApprovalFile
from bellwork.approvals.overdue import OVERDUE, sweep
from bellwork.files.uploads import delete_loose
from bellwork.jobs.registry import JobContext, handler, recurring
from bellwork.jobs.schedules import Every
from bellwork.runtime import runtime_of

LOOSE = "approvals.loose_files"


@handler(OVERDUE, max_attempts=3, backoff=30.0, timeout=300)
async def overdue(job: JobContext) -> None:
    await sweep(job.db, job.now)


@handler(LOOSE, max_attempts=3, backoff=60.0)
async def loose_files(job: JobContext) -> None:
    await delete_loose(
        job.db, runtime_of(job.db).files, ApprovalFile, ApprovalFile.event_id, job.now
    )


recurring(OVERDUE, OVERDUE, Every(300))
recurring(LOOSE, LOOSE, Every(3600))
