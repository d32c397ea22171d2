"""Job kinds for the tests, registered in the test process and, through
BELLWORK_JOBS_MODULES=tests.jobs.handlers, in worker processes.

`test.record` writes one row per execution into `test_job_run`, in the job's transaction: a row
there means the execution committed (with the job marked done). Before that it may append to
the file `payload["started"]`, which no rollback undoes, so tests also see executions that
never finished (a worker killed mid-job).
"""

from __future__ import annotations

import asyncio
import os

from sqlalchemy import text

from bellwork.jobs import JobContext, handler

RUNS_TABLE = "test_job_run"


@handler("test.record", max_attempts=5, backoff=0.2)
async def record(job: JobContext) -> None:
    started = job.payload.get("started")
    if started:
        with open(started, "a") as f:
            f.write(f"{job.id} {os.getpid()} {job.attempt}\n")
    if job.payload.get("sleep"):
        await asyncio.sleep(float(job.payload["sleep"]))
    if job.payload.get("hang_first") and job.attempt == 1:
        await asyncio.sleep(float(job.payload["hang_first"]))  # until the test kills us
    await job.db.execute(
        text(f"INSERT INTO {RUNS_TABLE} (job_id, attempt, pid) VALUES (:j, :a, :p)"),
        {"j": job.id, "a": job.attempt, "p": os.getpid()},
    )
    if job.attempt <= int(job.payload.get("fail_times", 0)):
        raise ValueError(f"boom {job.attempt}")


@handler("test.fail", max_attempts=3, backoff=10.0)
async def fail(job: JobContext) -> None:
    raise ValueError(f"boom {job.attempt}")
