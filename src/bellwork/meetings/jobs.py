"""Meetings' jobs: `meetings.remind`, a scheduled meeting's reminder to its members (5 minutes
before and at its start; meetings/reminders.py), keyed so it goes once."""

from __future__ import annotations

from bellwork.jobs.registry import JobContext, handler
from bellwork.meetings.reminders import REMIND, remind


@handler(REMIND, max_attempts=5, backoff=5.0)
async def reminder(job: JobContext) -> None:
    p = job.payload
    await remind(job.db, int(p["meeting"]), int(p["lead"]), str(p["at"]))
