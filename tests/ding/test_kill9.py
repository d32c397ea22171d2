"""Issue 11, "Durable": kill -9 every app node and worker mid-way, and nothing scheduled is
lost or sent twice.

Scheduled DINGs by text message, escalation steps of DINGs already out (the unconfirmed
texted again) and scheduled notices come due while two real app nodes
(`bellwork serve`, which run jobs) and a `bellwork worker` are running on the test's
database; text messages go to a local server that plays Alibaba Cloud SMS, each taking a
moment. Once some have gone out, every process is killed with SIGKILL. A new node and worker
take over when the leases run out. Then: every DING went out and every notice was published;
each recipient's text message of each DING reached the provider exactly once (by its OutId);
each notice has exactly one card in the class group; no job is dead."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from bellwork.chat.models import Message
from bellwork.delivery.models import Delivery
from bellwork.ding.models import DingMessage
from bellwork.jobs.models import Job
from bellwork.notices.models import Notice
from bellwork.runtime import Runtime
from tests.conftest import World
from tests.delivery.aliyun_server import AliyunSmsServer, Answer, free_port
from tests.delivery.test_aliyun import KEY_ID, KEY_SECRET, TEMPLATES
from tests.jobs.conftest import Workers, runtime, workers
from tests.jobs.test_workers import ready

__all__ = ["runtime", "workers"]

DINGS = 12  # × 3 guardians: 36 text messages
ESCALATING = 4  # in-app DINGs out already, whose first escalation step texts the 3 guardians
NOTICES = 12
# What the morning's sends are made of (follow-ups such as delivery checks come minutes later).
KINDS = (
    "ding.send",
    "ding.deliver",
    "ding.escalate",
    "delivery.send",
    "notices.publish",
    "notices.cards",
)
# The school's policy: unconfirmed after 30 minutes, a text message.
POLICY = {"after_minutes": 30, "channels": ["sms"]}


@pytest.fixture
async def aliyun() -> AsyncIterator[AliyunSmsServer]:
    server = AliyunSmsServer()
    await server.start()
    yield server
    await server.stop()


def sms_env(server: AliyunSmsServer) -> dict[str, str]:
    return {
        "BELLWORK_SMS_PROVIDER": "aliyun",
        "BELLWORK_SMS_ACCESS_KEY_ID": KEY_ID,
        "BELLWORK_SMS_ACCESS_KEY_SECRET": KEY_SECRET,
        "BELLWORK_SMS_SIGN_NAME": "实验小学",
        "BELLWORK_SMS_TEMPLATES": json.dumps(TEMPLATES),
        "BELLWORK_SMS_ENDPOINT": server.endpoint,
        "BELLWORK_SMS_TIMEOUT": "5",
        "BELLWORK_JOBS_LEASE_SECONDS": "2",
    }


async def node_up(workers: Workers, i: int, port: int) -> None:
    started = time.monotonic()
    async with httpx.AsyncClient() as c:
        while True:
            assert workers.procs[i].returncode is None, workers.log(i)
            assert time.monotonic() - started < 60, workers.log(i)
            try:
                if (await c.get(f"http://127.0.0.1:{port}/readyz", timeout=1)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)


async def count(rt: Runtime, stmt: Any) -> int:
    async with rt.sessionmaker() as db:
        return int(await db.scalar(stmt) or 0)


async def test_killing_every_node_and_worker_loses_nothing_and_sends_nothing_twice(
    world: World,
    school: dict[str, Any],
    runtime: Runtime,
    workers: Workers,
    aliyun: AliyunSmsServer,
) -> None:
    school["school"].settings = {"ding_escalation": POLICY}
    await world.commit()
    t = await world.login(school["teacher"])
    conv = (await t.get(f"/api/v1/units/{school['klass'].id}/group")).json()
    later = (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
    guardians = [{"unit_id": school["klass"].id, "roles": ["guardian"]}]
    escalating = []
    for i in range(ESCALATING):
        body = {"client_id": uuid.uuid4().hex, "body": f"速回 {i}", "units": guardians}
        r = await t.post("/api/v1/dings", json=body)
        assert r.status_code == 201, r.text
        escalating.append(r.json()["id"])
    for i in range(DINGS):
        r = await t.post(
            "/api/v1/dings",
            json={
                "client_id": uuid.uuid4().hex,
                "body": f"明天停课 {i}",
                "units": guardians,
                "channels": ["sms"],
                "send_at": later,
            },
        )
        assert r.status_code == 201, r.text
    notices = []
    for i in range(NOTICES):
        r = await t.post(
            "/api/v1/notices",
            json={
                "client_id": uuid.uuid4().hex,
                "title": f"通知 {i}",
                "units": guardians,
                "publish_at": later,
            },
        )
        assert r.status_code == 201, r.text
        notices.append(r.json()["id"])
    # Their minute comes, and the in-app DINGs' 30 minutes pass unconfirmed.
    async with runtime.sessionmaker() as db:
        await db.execute(
            update(Job)
            .where(Job.kind.in_(["ding.send", "notices.publish", "ding.escalate"]))
            .values(run_at=datetime.now(UTC) - timedelta(seconds=1))
            .execution_options(synchronize_session=False)
        )
        await db.commit()
    # Each text message takes the provider a moment, so the kill lands mid-way.
    aliyun.script.extend(Answer(delay=0.3) for _ in range((DINGS + ESCALATING) * 3))

    env = sms_env(aliyun)
    ports = [free_port(), free_port()]
    for port in ports:
        await workers.start(command="serve", BELLWORK_PORT=str(port), **env)
    await workers.start(concurrency=4, **env)
    for i, port in enumerate(ports):
        await node_up(workers, i, port)
    await ready(workers, 2)
    started = time.monotonic()
    while len(aliyun.sent) < 6:
        assert time.monotonic() - started < 60, workers.log(2)
        await asyncio.sleep(0.01)
    for proc in workers.procs:
        proc.kill()  # SIGKILL: every app node and the worker
    for proc in workers.procs:
        await proc.wait()
    # What the database knew at the kill: texts the provider took may not be written yet.
    recorded = await count(runtime, select(func.count()).where(Delivery.status == "sent"))
    dings_out = await count(runtime, select(func.count()).where(DingMessage.sent_at.is_not(None)))
    published = await count(runtime, select(func.count()).where(Notice.published_at.is_not(None)))
    print(
        f"\nkilled all: the provider had {len(aliyun.sent)} texts, {recorded} written as sent;"
        f" {dings_out} of {DINGS + ESCALATING} DINGs and {published} of {NOTICES} notices out"
    )
    texts = (DINGS + ESCALATING) * 3
    assert recorded < texts, "everything was done before the kill: nothing was tested"

    port = free_port()
    await workers.start(command="serve", BELLWORK_PORT=str(port), **env)
    await workers.start(concurrency=4, **env)
    started = time.monotonic()
    # (The scheduled DINGs went out during the run: their own first steps are 30 minutes away.)
    far = datetime.now(UTC) + timedelta(minutes=10)
    while await count(
        runtime,
        select(func.count())
        .select_from(Job)
        .where(
            Job.kind.in_(KINDS),
            Job.state != "done",
            ~((Job.kind == "ding.escalate") & (Job.run_at > far)),
        ),
    ):
        assert time.monotonic() - started < 120, workers.log(len(workers.procs) - 1)
        await asyncio.sleep(0.2)

    # Nothing lost.
    assert await count(runtime, select(func.count()).where(DingMessage.sent_at.is_(None))) == 0
    assert await count(runtime, select(func.count()).where(Notice.published_at.is_(None))) == 0
    # Nothing twice: a delivery per guardian per DING, each reaching the provider once.
    async with runtime.sessionmaker() as db:
        rows = (await db.execute(select(Delivery.id, Delivery.ding_id, Delivery.status))).all()
        steps = Counter(
            (d, step)
            for d, step in (await db.execute(select(Delivery.ding_id, Delivery.ding_step))).all()
        )
        cards = list(
            (
                await db.execute(
                    select(Message.card).where(
                        Message.conversation_id == conv["id"], Message.kind == "notice"
                    )
                )
            ).scalars()
        )
        dead = await db.scalar(select(func.count()).select_from(Job).where(Job.state == "dead"))
    assert len(rows) == texts and {s for _, _, s in rows} == {"sent"}
    assert set(Counter(d for _, d, _ in rows).values()) == {3}
    # Each escalated DING texted its 3 guardians once, as its step 1.
    assert {d: n for (d, step), n in steps.items() if d in escalating} == dict.fromkeys(
        escalating, 3
    )
    assert {step for (d, step) in steps if d in escalating} == {1}
    out_ids = Counter(p["OutId"] for p in aliyun.sent)
    assert sorted(out_ids) == sorted(f"bellwork-{i}" for i, _, _ in rows)
    assert set(out_ids.values()) == {1}, out_ids
    assert sorted(c["notice_id"] for c in cards if c) == sorted(notices)
    assert dead == 0
    lookups = sum(1 for q in aliyun.queried if not q.get("BizId"))
    print(f"texts sent {len(aliyun.sent)}, lost tries looked up at the provider: {lookups}")
