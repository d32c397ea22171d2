"""Issue 11, "Durable": scheduled publishes are platform jobs. Real `bellwork worker` processes
publish notices that came due; one is killed with SIGKILL part-way, another takes over once
the leases run out. Every notice goes out, and each exactly once: one card per notice in the
class group, no job dead."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from bellwork.chat.models import Message
from bellwork.jobs.models import Job
from bellwork.notices.models import Notice
from bellwork.runtime import Runtime
from tests.conftest import World
from tests.jobs.conftest import Workers
from tests.jobs.test_workers import ready

N = 40


async def published(rt: Runtime) -> int:
    async with rt.sessionmaker() as db:
        return int(
            await db.scalar(
                select(func.count()).select_from(Notice).where(Notice.published_at.is_not(None))
            )
            or 0
        )


async def test_scheduled_notices_survive_a_killed_worker(
    world: World, school: dict[str, Any], runtime: Runtime, workers: Workers
) -> None:
    t = await world.login(school["teacher"])
    conv = (await t.get(f"/api/v1/units/{school['klass'].id}/group")).json()
    at = datetime.now(UTC) + timedelta(minutes=30)
    ids = []
    for i in range(N):
        r = await t.post(
            "/api/v1/notices",
            json={
                "client_id": uuid.uuid4().hex,
                "title": f"通知 {i}",
                "units": [{"unit_id": school["klass"].id, "roles": ["guardian"]}],
                "publish_at": at.isoformat(),
            },
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    assert await published(runtime) == 0
    # Time passes: their minute comes.
    async with runtime.sessionmaker() as db:
        await db.execute(
            update(Job)
            .where(Job.kind == "notices.publish")
            .values(run_at=datetime.now(UTC) - timedelta(seconds=1))
            .execution_options(synchronize_session=False)
        )
        await db.commit()

    lease = {"BELLWORK_JOBS_LEASE_SECONDS": "2"}
    first = await workers.start(concurrency=4, **lease)
    await ready(workers, 0)
    started = time.monotonic()
    while await published(runtime) < 3:
        assert time.monotonic() - started < 30, workers.log(0)
        await asyncio.sleep(0.01)
    first.kill()  # SIGKILL, part-way
    print(f"\nkilled with {await published(runtime)} of {N} published")
    await first.wait()
    await workers.start(concurrency=4, **lease)
    started = time.monotonic()
    while True:
        async with runtime.sessionmaker() as db:
            waiting = await db.scalar(
                select(func.count())
                .select_from(Job)
                .where(Job.kind.like("notices.%"), Job.state != "done")
            )
        if not waiting:
            break
        assert time.monotonic() - started < 90, workers.log(1)
        await asyncio.sleep(0.1)

    assert await published(runtime) == N
    async with runtime.sessionmaker() as db:
        cards = list(
            (
                await db.execute(
                    select(Message.card).where(
                        Message.conversation_id == conv["id"], Message.kind == "notice"
                    )
                )
            ).scalars()
        )
    per_notice = sorted(c["notice_id"] for c in cards if c)
    assert per_notice == sorted(ids)  # one card each: none lost, none twice
    p1 = await world.login(school["p1"])
    inbox = (await p1.get("/api/v1/notices/inbox", params={"limit": 100})).json()["items"]
    assert sorted(i["id"] for i in inbox) == sorted(ids)
