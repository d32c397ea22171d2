"""DING's jobs: `ding.send`, a scheduled DING going out at its minute (enqueued by
`service.send` in the transaction that schedules it, keyed by the DING)."""

from __future__ import annotations

from bellwork.ding.service import SEND, send_scheduled
from bellwork.jobs.registry import JobContext, handler


@handler(SEND, max_attempts=20, backoff=2.0)
async def send(job: JobContext) -> None:
    await send_scheduled(job.db, int(job.payload["message"]), job.now)
