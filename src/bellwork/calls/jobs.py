"""Calls' job: `calls.check` ends a call nobody answered as missed, and a running call whose
pages went quiet (calls/service.py)."""

from __future__ import annotations

from bellwork.calls import service
from bellwork.calls.service import CHECK
from bellwork.jobs.registry import JobContext, handler


@handler(CHECK, max_attempts=10, backoff=2.0)
async def check(job: JobContext) -> None:
    await service.check(job.db, int(job.payload["call"]), job.now)
