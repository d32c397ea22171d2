"""What admins see of jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from bellwork.jobs.models import Job

JobState = Literal["queued", "running", "done", "dead"]


class JobOut(BaseModel):
    id: int
    kind: str
    state: JobState
    key: str | None
    payload: dict[str, Any]
    run_at: datetime = Field(description="Earliest time it runs (queued), or ran last.")
    attempts: int
    max_attempts: int
    lease_until: datetime | None = Field(description="While running: when its lease runs out.")
    runner: str | None = Field(description="The runner (host:pid) that claimed it last.")
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, job: Job) -> JobOut:
        return cls(
            id=job.id,
            kind=job.kind,
            state=job.state,
            key=job.key,
            payload=job.payload or {},
            run_at=job.run_at,
            attempts=job.attempts,
            max_attempts=job.max_attempts,
            lease_until=job.lease_until,
            runner=job.runner,
            last_error=job.last_error,
            created_at=job.created_at,
            finished_at=job.finished_at,
        )


class JobCounts(BaseModel):
    queued: int
    running: int
    done: int
    dead: int
    kinds: list[str] = Field(description="Every job kind this server knows.")
