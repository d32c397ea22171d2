"""What installation admins see of jobs and do with them: GET /api/v1/jobs (filters, pages),
/counts, POST /api/v1/jobs/{id}/retry (dead ones only, audited); `bellwork jobs list|retry`."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bellwork.config import Settings
from bellwork.db.session import unit_of_work
from bellwork.jobs import enqueue
from bellwork.jobs.runner import run_due
from bellwork.runtime import Runtime
from tests.conftest import World

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


async def arrange(rt: Runtime) -> tuple[int, list[int]]:
    """One dead job (three failures) and five queued ones; returns their ids."""
    async with unit_of_work(rt.sessionmaker) as db:
        dead = await enqueue(db, "test.fail", {"why": "demo"}, run_at=T0)
    now = T0
    for _ in range(3):
        await run_due(rt, clock=lambda at=now: at)
        now += timedelta(hours=1)
    async with unit_of_work(rt.sessionmaker) as db:
        queued = [
            await enqueue(db, "test.record", {"n": i}, run_at=now + timedelta(days=30))
            for i in range(5)
        ]
    return dead, queued


async def admin_and_teacher(world: World) -> tuple[Any, Any]:
    admin = await world.person("管理员", username="admin", is_admin=True)
    school = await world.unit("实验小学")
    teacher = await world.person("王老师", (school, "teacher"), username="teacher")
    return await world.login(admin), await world.login(teacher)


async def test_admins_page_through_jobs_by_state_and_kind(runtime: Runtime, world: World) -> None:
    dead, queued = await arrange(runtime)
    admin, teacher = await admin_and_teacher(world)
    r = await admin.get(
        "/api/v1/jobs", params={"state": "queued", "kind": "test.record", "limit": 2}
    )
    assert r.status_code == 200, r.text
    seen = [j["id"] for j in r.json()["items"]]
    cursor = r.json()["next_cursor"]
    while cursor:
        r = await admin.get(
            "/api/v1/jobs",
            params={"state": "queued", "kind": "test.record", "limit": 2, "cursor": cursor},
        )
        seen += [j["id"] for j in r.json()["items"]]
        cursor = r.json()["next_cursor"]
    assert seen == sorted(queued, reverse=True)  # newest first, each once
    r = await admin.get("/api/v1/jobs", params={"state": "dead"})
    [job] = r.json()["items"]
    assert job["id"] == dead and job["kind"] == "test.fail" and job["payload"] == {"why": "demo"}
    assert (job["attempts"], job["max_attempts"], job["last_error"]) == (3, 3, "ValueError: boom 3")
    counts = (await admin.get("/api/v1/jobs/counts")).json()
    assert (counts["dead"], counts["queued"]) == (1, 5)
    assert {"chat.burn", "chat.sweep", "jobs.prune", "test.fail"} <= set(counts["kinds"])

    r = await teacher.get("/api/v1/jobs")
    assert r.status_code == 403 and r.json()["code"] == "admin_only"
    assert r.json()["title"] == "Only installation administrators may do this."
    assert (await teacher.get("/api/v1/jobs/counts")).status_code == 403
    r = await admin.get("/api/v1/jobs", params={"cursor": "bm90IGEgY3Vyc29y"})
    assert r.status_code == 422 and r.json()["code"] == "bad_cursor"
    r = await admin.get("/api/v1/jobs", params={"state": "lost"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "state"


async def test_a_dead_job_is_retried_by_an_admin_and_the_retry_audited(
    runtime: Runtime, world: World
) -> None:
    dead, queued = await arrange(runtime)
    admin, teacher = await admin_and_teacher(world)
    r = await teacher.post(f"/api/v1/jobs/{dead}/retry")
    assert r.status_code == 403
    r = await admin.post(f"/api/v1/jobs/{queued[0]}/retry", headers={"accept-language": "zh-CN"})
    assert r.status_code == 409 and r.json()["code"] == "job_not_dead"
    assert r.json()["title"] == "只有已失败（重试次数用尽）的任务可以重试。"
    assert (await admin.post("/api/v1/jobs/999999/retry")).json()["title"] == "Job not found."
    r = await admin.post(f"/api/v1/jobs/{dead}/retry")
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["attempts"]) == ("queued", 0)
    assert r.json()["last_error"] == "ValueError: boom 3"  # kept until it runs again
    entries = (await admin.get("/api/v1/audit", params={"target_type": "job"})).json()["items"]
    assert [(e["action"], e["target_id"], e["actor"]["name"]) for e in entries] == [
        ("job.retry", dead, "管理员")
    ]
    assert entries[0]["before"]["state"] == "dead" and entries[0]["after"] == {"state": "queued"}
    # It runs again, with its attempts counted afresh.
    await run_due(runtime, clock=lambda: datetime.now(UTC))
    r = await admin.get("/api/v1/jobs", params={"kind": "test.fail"})
    assert (r.json()["items"][0]["state"], r.json()["items"][0]["attempts"]) == ("queued", 1)


async def cli(settings: Settings, *args: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELLWORK_")}
    root = Path(__file__).resolve().parents[2]
    env.update(
        BELLWORK_DATABASE_URL=settings.effective_database_url,
        BELLWORK_DATA_DIR=str(settings.data_dir),
        BELLWORK_JOBS_MODULES="tests.jobs.handlers",
        PYTHONPATH=os.pathsep.join([str(root / "src"), str(root)]),
        LANG="en_US.UTF-8",
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bellwork",
        *args,
        env=env,
        cwd=str(root),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return int(proc.returncode or 0), out.decode(), err.decode()


async def test_operators_list_and_retry_jobs_from_the_command_line(
    runtime: Runtime, world: World, settings: Settings
) -> None:
    dead, queued = await arrange(runtime)
    code, out, _ = await cli(settings, "jobs", "list", "--state", "dead")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("queued: 5  running: 0  done: ") and lines[0].endswith("dead: 1")
    assert lines[2].split()[:4] == [str(dead), "dead", "test.fail", "3/3"]
    assert lines[2].endswith("ValueError: boom 3") and len(lines) == 3
    code, _, err = await cli(settings, "jobs", "retry", str(queued[0]))
    assert code == 1 and "Only a dead job" in err
    code, out, _ = await cli(settings, "jobs", "retry", str(dead))
    assert code == 0 and out.strip() == f"Job {dead} (test.fail) is queued again."
    code, out, _ = await cli(settings, "jobs", "list", "--state", "dead")
    assert code == 0 and out.splitlines()[-1] == "No jobs."
    async with runtime.sessionmaker() as db:
        from sqlalchemy import select

        from bellwork.audit.models import AuditEntry

        entry = (await db.execute(select(AuditEntry))).scalar_one()
    assert (entry.action, entry.target_id, entry.actor_id) == ("job.retry", dead, None)
