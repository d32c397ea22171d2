"""DING's jobs: `ding.send`, a scheduled DING going out at its minute (enqueued by
`service.send` in the transaction that schedules it, keyed by the DING), and `ding.deliver`,
the text messages and emails of a DING going out or reminded (keyed by the DING and the
round, so each is queued once); `ding.escalate`, one step of the escalation policy for those
who have not confirmed (keyed by the DING and the step; escalation.py); `ding.loose_files`,
hourly, deletes voice notes and attachments no DING took within a day (media.py)."""

from __future__ import annotations

from bellwork.ding.escalation import ESCALATE, escalate
from bellwork.ding.media import delete_loose
from bellwork.ding.service import DELIVER, SEND, deliver, send_scheduled
from bellwork.jobs.registry import JobContext, handler, recurring
from bellwork.jobs.schedules import Every

LOOSE = "ding.loose_files"


@handler(SEND, max_attempts=20, backoff=2.0)
async def send(job: JobContext) -> None:
    await send_scheduled(job.db, int(job.payload["message"]), job.now)


@handler(DELIVER, max_attempts=20, backoff=2.0)
async def deliver_channels(job: JobContext) -> None:
    await deliver(job.db, int(job.payload["message"]))


@handler(ESCALATE, max_attempts=20, backoff=2.0)
async def escalate_step(job: JobContext) -> None:
    await escalate(job.db, int(job.payload["message"]), int(job.payload["step"]), job.now)


@handler(LOOSE, max_attempts=5)
async def loose_files(job: JobContext) -> None:
    await delete_loose(job.db, job.now)


recurring(LOOSE, LOOSE, Every(3600))
