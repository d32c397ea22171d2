"""A scheduled meeting's reminders (docs/meetings.md, "Reminders"), run by the real job runner
with a clock: 5 minutes before and at the start, each member gets `meeting.starting` over the
real socket and a Web Push (decrypted by the local push service) that opens the meeting, in
their device's language; a run again, or the reminders queued again (a restart), sends
nothing twice; a meeting moved or cancelled before then sends nothing at its old time. No
media server is needed: nothing starts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from bellwork.jobs.models import Job
from bellwork.jobs.runner import run_due
from bellwork.meetings import reminders
from bellwork.meetings.models import Meeting
from bellwork.runtime import Runtime
from tests.chat.conftest import connect, school
from tests.conftest import World
from tests.push.conftest import app_settings, pushsrv, runtime
from tests.push.push_server import PushServer
from tests.push.test_push import subscribe

__all__ = ["app_settings", "pushsrv", "runtime", "school"]


async def _create(c: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    r = await c.post(
        "/api/v1/meetings", json={"title": "家长会", "client_id": uuid.uuid4().hex, **body}
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _jobs(rt: Runtime, meeting_id: int) -> list[Job]:
    async with rt.sessionmaker() as db:
        rows = await db.execute(
            select(Job).where(Job.kind == reminders.REMIND).order_by(Job.run_at, Job.id)
        )
        return [j for j in rows.scalars() if j.payload["meeting"] == meeting_id]


async def _run(rt: Runtime, at: datetime) -> None:
    """Everything due by `at` (the reminders, then the pushes they queued)."""
    while await run_due(rt, clock=lambda: at):
        pass


def _pushes(server: PushServer, endpoint: str) -> list[dict[str, Any]]:
    return [m.payload for m in server.to(endpoint)]


async def test_members_are_reminded_before_and_at_the_start_once(
    world: World, school: dict[str, Any], pushsrv: PushServer, runtime: Runtime, live: str
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    zh = await subscribe(p1, pushsrv, lang="zh-CN")
    en = await subscribe(p2, pushsrv, lang="en")
    outsider = await subscribe(await world.login(school["p3"]), pushsrv)
    start = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    m = await _create(t, person_ids=[school["p1"].id, school["p2"].id], starts_at=start.isoformat())
    mid = m["id"]
    assert m["state"] == "scheduled"
    jobs = await _jobs(runtime, mid)
    assert [(j.payload["lead"], j.run_at) for j in jobs] == [
        (5, start - timedelta(minutes=5)),
        (0, start),
    ]

    # Queued again (a retry of the request, a restart): the keys add nothing.
    async with runtime.sessionmaker() as db:
        meeting = await db.get(Meeting, mid)
        assert meeting is not None
        await reminders.schedule(db, meeting, datetime.now(UTC))
        await db.commit()
    assert len(await _jobs(runtime, mid)) == 2

    # Not yet: nothing goes.
    await _run(runtime, start - timedelta(minutes=6))
    assert pushsrv.to(zh["endpoint"]) == []

    async with connect(live, p1) as ws:
        # 5 minutes before: the heads-up, in each device's language, opening the meeting.
        await _run(runtime, start - timedelta(minutes=5))
        ev = await ws.next("meeting.starting")
        assert (ev["meeting_id"], ev["minutes"], ev["title"]) == (mid, 5, "家长会")
        assert ev["state"] == "scheduled"
        assert _pushes(pushsrv, zh["endpoint"]) == [
            {
                "type": "notice",
                "title": "会议将在 5 分钟后开始",
                "body": "家长会",
                "url": f"/meetings/{mid}",
                "tag": f"bw-meeting-{mid}",
            }
        ]
        (soon,) = _pushes(pushsrv, en["endpoint"])
        assert soon["title"] == "The meeting starts in 5 minutes"
        (sent,) = pushsrv.to(en["endpoint"])
        assert sent.headers["Urgency"] == "high"

        # At the start: "starts now".
        await _run(runtime, start)
        ev = await ws.next("meeting.starting")
        assert (ev["meeting_id"], ev["minutes"]) == (mid, 0)
    assert [p["title"] for p in _pushes(pushsrv, zh["endpoint"])] == [
        "会议将在 5 分钟后开始",
        "会议即将开始",
    ]
    assert [p["title"] for p in _pushes(pushsrv, en["endpoint"])][-1] == "The meeting starts now"
    assert pushsrv.to(outsider["endpoint"]) == []  # not invited

    # Later runs, and the reminders queued again: nothing twice.
    async with runtime.sessionmaker() as db:
        meeting = await db.get(Meeting, mid)
        assert meeting is not None
        await reminders.schedule(db, meeting, start - timedelta(minutes=10))
        await db.commit()
    await _run(runtime, start + timedelta(minutes=1))
    assert len(pushsrv.to(zh["endpoint"])) == 2
    assert {j.state for j in await _jobs(runtime, mid)} == {"done"}


async def test_a_moved_or_cancelled_meeting_is_not_reminded_at_its_old_time(
    world: World, school: dict[str, Any], pushsrv: PushServer, runtime: Runtime
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    phone = await subscribe(p1, pushsrv, lang="zh-CN")
    conv = (await t.get(f"/api/v1/units/{school['klass'].id}/group")).json()["id"]
    start = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    moved = await _create(t, conversation_id=conv, starts_at=start.isoformat())
    cancelled = await _create(t, conversation_id=conv, starts_at=start.isoformat())

    # Only the host moves it, and only before it starts; the old time's jobs are taken back.
    later = start + timedelta(hours=2)
    r = await p1.patch(f"/api/v1/meetings/{moved['id']}", json={"starts_at": later.isoformat()})
    assert r.status_code == 403 and r.json()["code"] == "meeting_host_only"
    r = await t.patch(f"/api/v1/meetings/{moved['id']}", json={"starts_at": later.isoformat()})
    assert r.status_code == 200, r.text
    assert datetime.fromisoformat(r.json()["starts_at"]) == later
    assert [j.run_at for j in await _jobs(runtime, moved["id"])] == [
        later - timedelta(minutes=5),
        later,
    ]
    r = await t.patch(f"/api/v1/meetings/{moved['id']}", json={"starts_at": "2030-01-01T08:00"})
    assert r.status_code == 422  # a time without its zone
    # A time that has passed: refused, said in the person's language; nothing moves.
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    said = {"zh-CN": "该时间已过，请选择晚于现在的时间。", "en": "That time has passed"}
    for lang, title in said.items():
        r = await t.patch(
            f"/api/v1/meetings/{moved['id']}",
            json={"starts_at": past},
            headers={"Accept-Language": lang},
        )
        assert r.status_code == 422 and r.json()["code"] == "meeting_time_past"
        assert r.json()["title"].startswith(title)
        assert r.json()["errors"][0]["field"] == "starts_at"
    shown = (await t.get(f"/api/v1/meetings/{moved['id']}")).json()
    assert datetime.fromisoformat(shown["starts_at"]) == later

    # Cancelled (ended before it started): its reminders are gone.
    r = await t.post(f"/api/v1/meetings/{cancelled['id']}/end")
    assert r.status_code == 200 and r.json()["state"] == "ended"
    assert await _jobs(runtime, cancelled["id"]) == []
    r = await t.patch(f"/api/v1/meetings/{cancelled['id']}", json={"starts_at": None})
    assert r.status_code == 409 and r.json()["code"] == "meeting_not_scheduled"

    # A job already running when the meeting moved or ended checks and sends nothing.
    async with runtime.sessionmaker() as db:
        for mid in (moved["id"], cancelled["id"]):
            assert await reminders.remind(db, mid, 0, start.isoformat()) == 0
        await db.rollback()

    await _run(runtime, start + timedelta(minutes=1))
    assert pushsrv.to(phone["endpoint"]) == []
    # At the new time, the moved one is reminded.
    await _run(runtime, later)
    assert [p["title"] for p in _pushes(pushsrv, phone["endpoint"])] == [
        "会议将在 5 分钟后开始",
        "会议即将开始",
    ]


async def test_a_meeting_planned_for_a_time_gone_is_refused(
    world: World, school: dict[str, Any], runtime: Runtime
) -> None:
    """Planned in the past it would be reminded at once and its card would show a start
    already gone; started now, its planned time does not matter."""
    t = await world.login(school["teacher"])
    conv = (await t.get(f"/api/v1/units/{school['klass'].id}/group")).json()["id"]
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    for lang, title in {"zh-CN": "该时间已过", "en": "That time has passed"}.items():
        r = await t.post(
            "/api/v1/meetings",
            json={
                "title": "家长会",
                "client_id": uuid.uuid4().hex,
                "conversation_id": conv,
                "starts_at": past,
            },
            headers={"Accept-Language": lang},
        )
        assert r.status_code == 422 and r.json()["code"] == "meeting_time_past"
        assert r.json()["title"].startswith(title)
        assert r.json()["errors"][0]["field"] == "starts_at"
    assert (await t.get("/api/v1/meetings")).json() == []
    async with runtime.sessionmaker() as db:
        queued = (await db.execute(select(Job).where(Job.kind == reminders.REMIND))).scalars()
        assert list(queued) == []
