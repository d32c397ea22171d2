"""The delivery jobs: one per try of one delivery (service.send_delivery), and the follow-ups
that ask the provider what became of it (service.check_delivery)."""

from __future__ import annotations

from bellwork.delivery.service import CHECK, SEND, check_delivery, send_delivery
from bellwork.jobs.registry import JobContext, handler


@handler(SEND, max_attempts=3, timeout=120)
async def send(job: JobContext) -> None:
    # A second attempt of this job means the first was lost mid-way (a provider's refusal is
    # a new job of its own): the provider may have taken it already.
    await send_delivery(job.db, int(job.payload["delivery"]), job.now, retried=job.attempt > 1)


@handler(CHECK, max_attempts=3, timeout=120)
async def check(job: JobContext) -> None:
    await check_delivery(job.db, int(job.payload["delivery"]), int(job.payload["round"]), job.now)
