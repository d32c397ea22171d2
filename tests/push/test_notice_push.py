"""A notice pushes to its recipients' devices (category "notice"), and its recall takes the
notification away."""

from __future__ import annotations

import uuid
from typing import Any

from bellwork.jobs.runner import run_due
from bellwork.runtime import Runtime
from tests.conftest import World
from tests.push.push_server import PushServer
from tests.push.test_push import at, subscribe


async def test_a_notice_reaches_the_phone_and_its_recall_takes_it_off(
    world: World, school: dict[str, Any], pushsrv: PushServer, runtime: Runtime
) -> None:
    teacher = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    phone = await subscribe(p1, pushsrv, "Chrome on Android", lang="zh-CN")
    r = await teacher.post(
        "/api/v1/notices",
        json={
            "client_id": uuid.uuid4().hex,
            "title": "下周一返校安排",
            "body": "请按时到校。",
            "units": [{"unit_id": school["klass"].id, "roles": ["guardian"]}],
        },
    )
    assert r.status_code == 201, r.text
    notice_id = r.json()["id"]
    await run_due(runtime, clock=lambda: at(1))
    (got,) = [m.payload for m in pushsrv.to(phone["endpoint"])]
    assert got == {
        "type": "notice",
        "title": "通知：下周一返校安排",
        "body": "王老师",
        "url": f"/notices/{notice_id}",
        "tag": f"bw-notice-{notice_id}",
    }
    assert (await teacher.post(f"/api/v1/notices/{notice_id}/recall")).status_code == 200
    await run_due(runtime, clock=lambda: at(2))
    closes = [m.payload for m in pushsrv.to(phone["endpoint"]) if m.payload["type"] == "close"]
    assert [(c["title"], c["tag"]) for c in closes] == [("通知已撤回", f"bw-notice-{notice_id}")]
