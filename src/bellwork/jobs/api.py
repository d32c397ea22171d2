"""Jobs for installation admins: what is queued, running, done or dead, and retrying dead ones."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from bellwork.core.deps import DB, CurrentActor, CurrentScope
from bellwork.core.routing import Router
from bellwork.core.schemas import Page, decode_cursor, encode_cursor
from bellwork.core.types import PathId
from bellwork.jobs import queue
from bellwork.jobs.registry import kinds
from bellwork.jobs.schemas import JobCounts, JobOut, JobState
from bellwork.org.access import require_admin

router = Router(prefix="/api/v1/jobs", tags=["jobs"])


@router.get("", response_model=Page[JobOut])
async def list_jobs(
    db: DB,
    scope: CurrentScope,
    state: JobState | None = None,
    kind: Annotated[str | None, Query(max_length=100)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[JobOut]:
    """Jobs, newest first, optionally of one state and one kind (installation admins only)."""
    require_admin(scope)
    after = decode_cursor(cursor, int)
    jobs = await queue.list_jobs(db, state, kind, after[0] if after else None, limit + 1)
    more = len(jobs) > limit
    jobs = jobs[:limit]
    return Page[JobOut](
        items=[JobOut.of(j) for j in jobs],
        next_cursor=encode_cursor([jobs[-1].id]) if more else None,
    )


@router.get("/counts", response_model=JobCounts)
async def job_counts(db: DB, scope: CurrentScope) -> JobCounts:
    """How many jobs are in each state, and the kinds there are (installation admins only)."""
    require_admin(scope)
    counts = await queue.count_states(db)
    return JobCounts(**counts, kinds=kinds())


@router.post("/{job_id}/retry", response_model=JobOut)
async def retry_job(db: DB, actor: CurrentActor, scope: CurrentScope, job_id: PathId) -> JobOut:
    """Queues a dead job again with fresh attempts (installation admins only; audited).
    409 `job_not_dead` for a job in another state."""
    require_admin(scope)
    return JobOut.of(await queue.retry(db, job_id, actor.id))
