"""Jobs throughput: how many no-op jobs per second one `bellwork worker` process runs.

    .venv/bin/python bench/jobs_throughput.py [--db sqlite|postgres|both] [--jobs 5000]
                                              [--concurrency 4] [--workers 1]

Enqueues `--jobs` no-op jobs into a fresh database (500 per transaction, as `enqueue` does in a
request), then starts `--workers` real `bellwork worker` processes and waits until every job is
done. Prints the enqueue rate, the run rate (jobs / the time from the first job finished to the
last, so process start-up is left out), the worker CPU time per job (the figure that varies
least with what else the machine does) and the wall time. Every job is one
claim share plus one transaction that locks its row, runs the handler and marks it done.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from benchlib import backends, db_version, fresh_database, machine, run_per_backend

from bellwork.jobs import JobContext, handler

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@handler("bench.noop")
async def noop(job: JobContext) -> None:
    """Nothing: what is measured is the queue."""


async def run(backend: str, n: int, concurrency: int, workers: int) -> None:
    from sqlalchemy import func, select

    from bellwork.config import Settings
    from bellwork.db.session import unit_of_work
    from bellwork.jobs import enqueue
    from bellwork.jobs.models import Job
    from bellwork.runtime import Runtime

    async with fresh_database(backend) as url:
        print(machine([await db_version(url)]))
        data = tempfile.mkdtemp(prefix="bellwork-bench-jobs-")
        settings = Settings(database_url=url, data_dir=Path(data))
        rt = await Runtime.open(settings)
        try:
            t0 = time.perf_counter()
            for start in range(0, n, 500):
                async with unit_of_work(rt.sessionmaker, rt.write_gate) as db:
                    for i in range(start, min(n, start + 500)):
                        await enqueue(db, "bench.noop", {"i": i})
            enqueued = time.perf_counter() - t0
            env = {k: v for k, v in os.environ.items() if not k.startswith("BELLWORK_")}
            env.update(
                BELLWORK_DATABASE_URL=url,
                BELLWORK_DATA_DIR=data,
                BELLWORK_JOBS_MODULES="jobs_throughput",
                PYTHONPATH=os.pathsep.join([str(HERE), str(ROOT / "src")]),
            )
            started = time.perf_counter()
            procs = [
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bellwork",
                    "worker",
                    "--concurrency",
                    str(concurrency),
                    env=env,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.DEVNULL,
                )
                for _ in range(workers)
            ]
            first_seen: tuple[int, float] | None = None  # jobs done, worker CPU then
            try:
                while True:
                    async with rt.sessionmaker() as db:
                        done = (
                            await db.execute(select(func.count()).where(Job.state == "done"))
                        ).scalar_one()
                    if done and first_seen is None:
                        first_seen = (done, sum(cpu_seconds(p.pid) for p in procs))
                    if done >= n:
                        break
                    await asyncio.sleep(0.2)
                wall = time.perf_counter() - started
                async with rt.sessionmaker() as db:
                    first, last = (
                        await db.execute(
                            select(func.min(Job.finished_at), func.max(Job.finished_at))
                        )
                    ).one()
                    attempts = (await db.execute(select(func.sum(Job.attempts)))).scalar_one()
                assert first_seen is not None
                cpu = (sum(cpu_seconds(p.pid) for p in procs) - first_seen[1]) / (n - first_seen[0])
            finally:
                for p in procs:
                    p.send_signal(signal.SIGTERM)
                for p in procs:
                    await p.wait()
        finally:
            await rt.close()
        span = (last - first).total_seconds()
        print(
            f"{backend}: {n} jobs, {workers} worker(s) x concurrency {concurrency}\n"
            f"  enqueue  {n / enqueued:8.0f} jobs/s  ({enqueued:.2f} s, 500 per transaction)\n"
            f"  run      {n / span:8.0f} jobs/s  ({span:.2f} s first to last done; "
            f"{attempts} attempts)\n"
            f"  cpu      {cpu * 1000:8.2f} ms of worker CPU per job (after start-up)\n"
            f"  wall     {wall:8.2f} s including worker start-up\n"
        )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if args.db == "both":
        argv = [f"--jobs={args.jobs}", f"--concurrency={args.concurrency}"]
        return run_per_backend(__file__, [*argv, f"--workers={args.workers}"], "both")
    for b in backends(args.db):
        asyncio.run(run(b, args.jobs, args.concurrency, args.workers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
