"""Web Push's job: `push.send`, one per 100 people a `notify` reaches (or a retry of some
subscriptions). Its sending happens after its transaction commits (service.py says why); its
retries are jobs it queues itself, so the runner's own attempts are for the database part."""

from __future__ import annotations

from bellwork.jobs.registry import JobContext, handler
from bellwork.push.service import SEND, deliver


@handler(SEND, max_attempts=5, backoff=10.0, timeout=180)
async def send(job: JobContext) -> None:
    await deliver(job.db, job.id, job.payload, job.now)
