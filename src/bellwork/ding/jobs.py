"""DING's jobs: `ding.send`, a scheduled DING going out at its minute (enqueued by
`service.send` in the transaction that schedules it, keyed by the DING), and `ding.deliver`,
the text messages and emails of a DING going out or reminded (keyed by the DING and the
round, so each is queued once)."""

from __future__ import annotations

from bellwork.ding.service import DELIVER, SEND, deliver, send_scheduled
from bellwork.jobs.registry import JobContext, handler


@handler(SEND, max_attempts=20, backoff=2.0)
async def send(job: JobContext) -> None:
    await send_scheduled(job.db, int(job.payload["message"]), job.now)


@handler(DELIVER, max_attempts=20, backoff=2.0)
async def deliver_channels(job: JobContext) -> None:
    await deliver(job.db, int(job.payload["message"]))
