"""The delivery job: one per try of one delivery (service.send_delivery)."""

from __future__ import annotations

from bellwork.delivery.service import SEND, send_delivery
from bellwork.jobs.registry import JobContext, handler


@handler(SEND, max_attempts=3, timeout=120)
async def send(job: JobContext) -> None:
    await send_delivery(job.db, int(job.payload["delivery"]), job.now)
