"""Notices through the API (issue 11, "Notices"): publishing to units × roles with the recipients
snapshotted, the errors (nobody, a time past, files not one's own), scheduled publishing as a
job, idempotent client ids, editing, recalling, reading and confirming, statistics by unit,
DINGing who has not read, the cards in the class group, file access and the live events."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from PIL import Image
from sqlalchemy import func, select, update

from bellwork.chat.models import Message
from bellwork.ding.models import Ding
from bellwork.jobs.models import Job
from bellwork.jobs.runner import run_due
from bellwork.notices.files import delete_loose
from bellwork.notices.models import Notice, NoticeFile, NoticeReceipt
from tests.chat.conftest import connect
from tests.conftest import World


def png(w: int = 32, h: int = 24) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (w, h), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def to_guardians(school: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "client_id": uuid.uuid4().hex,
        "title": "期中家长会通知",
        "body": "周五下午 **三点** 在教室开家长会。",
        "units": [{"unit_id": school["klass"].id, "roles": ["guardian"]}],
        **extra,
    }


async def publish(c: httpx.AsyncClient, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    r = await c.post("/api/v1/notices", json=body)
    assert r.status_code == status, r.text
    return r.json()  # type: ignore[no-any-return]


async def settle(world: World) -> None:
    """Runs what is due until no notices job waits or runs (the app's own runner may have
    claimed one a moment ago)."""
    for _ in range(100):
        await run_due(world.app.state.runtime, clock=lambda: datetime.now(UTC))
        async with world.app.state.sessionmaker() as s:
            busy = await s.scalar(
                select(func.count())
                .select_from(Job)
                .where(Job.kind.like("notices.%"), Job.state.in_(["queued", "running"]))
                .where(Job.run_at <= datetime.now(UTC))
            )
        if not busy:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("notices jobs did not settle")


async def count(world: World, model: Any) -> int:
    async with world.app.state.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_publish_to_guardians_snapshots_and_tells_them_live(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    async with connect(live, p1) as phone, connect(live, t) as desk:
        n = await publish(t, to_guardians(school, importance="important", confirm=True))
        assert n["totals"] == {"total": 3, "read": 0, "confirmed": 0}
        assert n["published_at"] is not None and n["is_author"] is True
        ev = await phone.next("notice.new")
        assert ev["notice"]["id"] == n["id"] and ev["notice"]["title"] == "期中家长会通知"
        assert ev["notice"]["importance"] == "important" and ev["notice"]["confirm"] is True
        assert (await desk.next("notice.changed"))["notice_id"] == n["id"]
    inbox = (await p1.get("/api/v1/notices/inbox")).json()["items"]
    assert [(i["id"], i["mine"]["read_at"], i["mine"]["unit_id"]) for i in inbox] == [
        (n["id"], None, school["klass"].id)
    ]
    assert (await p1.get("/api/v1/notices/unread")).json() == {"unread": 1, "to_confirm": 0}
    # Students were not asked for; a later guardian of the class is not a recipient.
    s1 = await world.login(school["s1"])
    assert (await s1.get("/api/v1/notices/inbox")).json()["items"] == []
    assert (await s1.get(f"/api/v1/notices/{n['id']}")).status_code == 404
    s4 = await world.person("学生4", (school["klass"], "student"), username="s4")
    late = await world.guardian("家长4", s4, school["klass"], username="p4")
    await world.commit()
    assert (await (await world.login(late)).get("/api/v1/notices/inbox")).json()["items"] == []
    assert await count(world, NoticeReceipt) == 3


async def test_bad_input_is_refused_and_nothing_is_written(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    # Nobody: the class has no staff.
    r = await t.post(
        "/api/v1/notices",
        json=to_guardians(school, units=[{"unit_id": school["klass"].id, "roles": ["staff"]}]),
    )
    assert (r.status_code, r.json()["code"]) == (422, "notice_audience_empty")
    assert "Nobody would receive this notice" in r.json()["title"]
    r = await t.post("/api/v1/notices", json=to_guardians(school, units=[]))
    assert r.json()["code"] == "notice_audience_empty"
    # A time past, named by its field.
    past = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    r = await t.post("/api/v1/notices", json=to_guardians(school, publish_at=past))
    assert (r.status_code, r.json()["code"]) == (422, "notice_time_past")
    assert r.json()["errors"] == [{"field": "publish_at"}]
    # An empty title.
    r = await t.post("/api/v1/notices", json=to_guardians(school, title="   "))
    assert r.status_code == 422
    # A file that is not one's own upload.
    r = await t.post("/api/v1/notices", json=to_guardians(school, attachments=[424242]))
    assert (r.status_code, r.json()["code"]) == (422, "notice_file_unknown")
    assert r.json()["errors"] == [{"field": "attachments"}]
    # Guardians may not publish.
    p1 = await world.login(school["p1"])
    r = await p1.post("/api/v1/notices", json=to_guardians(school))
    assert (r.status_code, r.json()["code"]) == (403, "notice_not_allowed")
    zh = await t.post(
        "/api/v1/notices",
        json=to_guardians(school, units=[]),
        headers={"accept-language": "zh-CN"},
    )
    assert zh.json()["title"].startswith("这条通知没有接收人")
    assert await count(world, Notice) == 0
    assert await count(world, NoticeReceipt) == 0


async def test_a_retry_answers_the_first_notice(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    body = to_guardians(school)
    first = await publish(t, body)
    again = await publish(t, body, status=200)
    assert again["id"] == first["id"]
    assert await count(world, Notice) == 1
    assert await count(world, NoticeReceipt) == 3


async def test_scheduled_publish_goes_out_once_by_its_job(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    at = (datetime.now(UTC) + timedelta(minutes=30)).replace(second=17)
    n = await publish(t, to_guardians(school, publish_at=at.isoformat()))
    assert n["published_at"] is None
    assert n["publish_at"].startswith(at.replace(second=0).strftime("%Y-%m-%dT%H:%M:00"))
    assert n["totals"]["total"] == 3  # the snapshot is taken now
    assert (await p1.get("/api/v1/notices/inbox")).json()["items"] == []
    assert (await p1.get(f"/api/v1/notices/{n['id']}")).status_code == 404
    runtime = world.app.state.runtime
    async with connect(live, p1) as phone:
        await run_due(runtime, clock=lambda: at + timedelta(minutes=1))
        ev = await phone.next("notice.new")
        assert ev["notice"]["id"] == n["id"]
        # The job ran; running what is due again sends nothing twice.
        await run_due(runtime, clock=lambda: at + timedelta(minutes=2))
        await phone.nothing()
    inbox = (await p1.get("/api/v1/notices/inbox")).json()["items"]
    assert [i["id"] for i in inbox] == [n["id"]]


async def test_recalling_a_scheduled_notice_keeps_it_from_going_out(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    at = datetime.now(UTC) + timedelta(minutes=30)
    n = await publish(t, to_guardians(school, publish_at=at.isoformat()))
    r = await t.post(f"/api/v1/notices/{n['id']}/recall")
    assert r.status_code == 200 and r.json()["recalled_at"] is not None
    await run_due(world.app.state.runtime, clock=lambda: at + timedelta(minutes=1))
    assert (await p1.get("/api/v1/notices/inbox")).json()["items"] == []
    async with world.app.state.sessionmaker() as s:
        assert (await s.get(Notice, n["id"])).published_at is None  # type: ignore[union-attr]


async def test_read_confirm_and_the_author_hears_live(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    n = await publish(t, to_guardians(school, confirm=True))
    async with connect(live, t) as desk, connect(live, p1) as phone:
        r = await p1.post(f"/api/v1/notices/{n['id']}/read")
        assert r.status_code == 200 and r.json()["mine"]["read_at"] is not None
        ev = await desk.next("notice.read")
        assert (ev["notice_id"], ev["person_id"], ev["unit_id"]) == (
            n["id"],
            school["p1"].id,
            school["klass"].id,
        )
        assert ev["confirmed_at"] is None
        assert (await phone.next("notice.read"))["person_id"] == school["p1"].id
        # Again: the same answer, nobody told twice.
        assert (await p1.post(f"/api/v1/notices/{n['id']}/read")).status_code == 200
        await desk.nothing()
        assert (await p1.get("/api/v1/notices/unread")).json() == {"unread": 0, "to_confirm": 1}
        c = await p1.post(f"/api/v1/notices/{n['id']}/confirm")
        assert c.status_code == 200 and c.json()["mine"]["confirmed_at"] is not None
        assert (await desk.next("notice.read"))["confirmed_at"] is not None
    assert (await p1.get("/api/v1/notices/unread")).json() == {"unread": 0, "to_confirm": 0}
    # Confirming also reads: p2 confirms without opening first.
    p2 = await world.login(school["p2"])
    assert (await p2.post(f"/api/v1/notices/{n['id']}/confirm")).status_code == 200
    stats = (await t.get(f"/api/v1/notices/{n['id']}/stats")).json()
    assert stats["totals"] == {"total": 3, "read": 2, "confirmed": 2}
    # A notice that does not ask to confirm cannot be confirmed.
    plain = await publish(t, to_guardians(school))
    r = await p1.post(f"/api/v1/notices/{plain['id']}/confirm")
    assert (r.status_code, r.json()["code"]) == (409, "notice_no_confirm")
    # The author is no recipient of their own notice.
    assert (await t.post(f"/api/v1/notices/{n['id']}/read")).status_code == 404


async def test_statistics_by_unit_lagging_first_and_the_people(
    world: World, school: dict[str, Any]
) -> None:
    grade = await world.unit("一年级", "grade", school["school"])
    k2 = await world.unit("2班", "class", grade)
    k1 = school["klass"]
    for i in range(5, 7):
        st = await world.person(f"学生{i}", (k2, "student"), username=f"s{i}")
        school[f"p{i}"] = await world.guardian(f"家长{i}", st, k2, username=f"p{i}")
    await world.commit()
    head = await world.person("校长", (school["school"], "head"), username="head")
    await world.commit()
    h = await world.login(head)
    n = await publish(
        h,
        to_guardians(school, units=[{"unit_id": school["school"].id, "roles": ["guardian"]}]),
    )
    assert n["totals"]["total"] == 5
    for who in ("p1", "p2", "p5"):
        c = await world.login(school[who])
        assert (await c.post(f"/api/v1/notices/{n['id']}/read")).status_code == 200
    stats = (await h.get(f"/api/v1/notices/{n['id']}/stats")).json()
    assert stats["totals"] == {"total": 5, "read": 3, "confirmed": 0}
    # 2班 (1 of 2 read) lags behind 1班 (2 of 3).
    assert [(u["unit_name"], u["total"], u["read"]) for u in stats["units"]] == [
        ("一年级 / 2班", 2, 1),
        ("实验小学 / 1班", 3, 2),
    ]
    unread = (
        await h.get(
            f"/api/v1/notices/{n['id']}/recipients",
            params={"unit_id": k1.id, "state": "unread"},
        )
    ).json()["items"]
    assert [r["person"]["id"] for r in unread] == [school["p3"].id]
    # A guardian is named as their child's parent.
    assert unread[0]["person"]["parent_of"]["student_name"] == "学生3"
    read = (await h.get(f"/api/v1/notices/{n['id']}/recipients", params={"state": "read"})).json()[
        "items"
    ]
    assert {r["person"]["id"] for r in read} == {school[w].id for w in ("p1", "p2", "p5")}
    # Only the author sees them.
    t = await world.login(school["teacher"])
    assert (await t.get(f"/api/v1/notices/{n['id']}/stats")).status_code == 404
    # The statistics stay true when someone moves: p6 leaves 2班.
    async with world.app.state.sessionmaker() as s:
        from bellwork.org.models import Membership

        await s.execute(
            update(Membership)
            .where(Membership.person_id == school["p6"].id)
            .values(unit_id=k1.id)
            .execution_options(synchronize_session=False)
        )
        await s.commit()
    again = (await h.get(f"/api/v1/notices/{n['id']}/stats")).json()
    assert again["units"] == stats["units"]


async def test_ding_everyone_who_has_not_read(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    n = await publish(t, to_guardians(school))
    assert (await p1.post(f"/api/v1/notices/{n['id']}/read")).status_code == 200
    async with connect(live, p2) as p2s, connect(live, p1) as p1s:
        r = await t.post(f"/api/v1/notices/{n['id']}/ding", json={"client_id": "k1"})
        assert r.status_code == 201, r.text
        d = r.json()
        assert d["total"] == 2
        assert "期中家长会通知" in d["body"] and f"/notices/{n['id']}" in d["body"]
        alert = await p2s.next("ding.alert")
        assert alert["ding"]["id"] == d["id"]
        await p1s.nothing()
    again = await t.post(f"/api/v1/notices/{n['id']}/ding", json={"client_id": "k1"})
    assert (again.status_code, again.json()["id"]) == (200, d["id"])
    async with world.app.state.sessionmaker() as s:
        people = set(
            (await s.execute(select(Ding.recipient_id).where(Ding.message_id == d["id"]))).scalars()
        )
    assert people == {school["p2"].id, school["p3"].id}
    for who in ("p2", "p3"):
        c = await world.login(school[who])
        await c.post(f"/api/v1/notices/{n['id']}/read")
    r = await t.post(f"/api/v1/notices/{n['id']}/ding", json={"client_id": "k2"})
    assert (r.status_code, r.json()["code"]) == (409, "notice_all_read")


async def test_edit_shows_edited_and_recall_keeps_only_the_title_for_readers(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    n = await publish(t, to_guardians(school))
    await p1.post(f"/api/v1/notices/{n['id']}/read")
    async with connect(live, p2) as p2s:
        r = await t.patch(f"/api/v1/notices/{n['id']}", json={"body": "改到周六上午九点。"})
        assert r.status_code == 200, r.text
        assert r.json()["edited_at"] is not None and r.json()["title"] == "期中家长会通知"
        ev = await p2s.next("notice.changed")
        assert ev["notice_id"] == n["id"] and ev["edited_at"] is not None
        seen = (await p2.get(f"/api/v1/notices/{n['id']}")).json()
        assert seen["body"] == "改到周六上午九点。" and seen["edited_at"] is not None
        # Someone else cannot edit or recall it.
        other = await world.person("李老师", (school["klass"], "teacher"), username="t2")
        o = await world.login(other)
        assert (await o.patch(f"/api/v1/notices/{n['id']}", json={"title": "x"})).status_code == 404
        assert (await o.post(f"/api/v1/notices/{n['id']}/recall")).status_code == 404
        r = await t.post(f"/api/v1/notices/{n['id']}/recall")
        assert r.status_code == 200 and r.json()["recalled_at"] is not None
        assert (await p2s.next("notice.recalled"))["notice_id"] == n["id"]
    # p2 had not read it: gone. p1 had: its title, marked recalled, without its text.
    assert (await p2.get("/api/v1/notices/inbox")).json()["items"] == []
    assert (await p2.get(f"/api/v1/notices/{n['id']}")).status_code == 404
    kept = (await p1.get("/api/v1/notices/inbox")).json()["items"]
    assert [(i["id"], i["recalled_at"] is not None) for i in kept] == [(n["id"], True)]
    one = (await p1.get(f"/api/v1/notices/{n['id']}")).json()
    assert (one["title"], one["body"], one["attachments"]) == ("期中家长会通知", "", [])
    assert (await p1.get("/api/v1/notices/unread")).json()["unread"] == 0
    r = await t.patch(f"/api/v1/notices/{n['id']}", json={"title": "again"})
    assert (r.status_code, r.json()["code"]) == (409, "notice_recalled")
    r = await p2.post(f"/api/v1/notices/{n['id']}/confirm")
    assert r.status_code == 404
    assert (await t.post(f"/api/v1/notices/{n['id']}/recall")).status_code == 200  # again: same
    r = await t.post(f"/api/v1/notices/{n['id']}/ding", json={"client_id": "x"})
    assert (r.status_code, r.json()["code"]) == (409, "notice_recalled")


async def test_files_are_for_the_author_and_the_recipients(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    up = await t.post("/api/v1/notices/files", files={"file": ("场地.png", png(), "image/png")})
    assert up.status_code == 201, up.text
    img = up.json()
    att = (
        await t.post(
            "/api/v1/notices/files", files={"file": ("议程.txt", b"agenda\n", "text/plain")}
        )
    ).json()
    p1 = await world.login(school["p1"])
    # Before publishing: the author's only.
    assert (await t.get(img["url"])).status_code == 200
    assert (await p1.get(img["url"])).status_code == 404
    n = await publish(
        t,
        to_guardians(school, body=f"场地如图：\n\n![场地]({img['url']})", attachments=[att["id"]]),
    )
    assert [f["id"] for f in n["images"]] == [img["id"]]
    assert [f["name"] for f in n["attachments"]] == ["议程.txt"]
    r = await p1.get(img["url"])
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert (await p1.get(f"{img['url']}/thumbnail")).status_code == 200
    assert (await p1.get(att["url"])).content == b"agenda\n"
    s1 = await world.login(school["s1"])  # not a recipient
    assert (await s1.get(att["url"])).status_code == 404
    # A guardian cannot upload; another author cannot take these files.
    r = await p1.post("/api/v1/notices/files", files={"file": ("a.txt", b"x", "text/plain")})
    assert r.status_code == 403
    other = await world.login(
        await world.person("李老师", (school["klass"], "teacher"), username="t2")
    )
    r = await other.post("/api/v1/notices", json=to_guardians(school, attachments=[att["id"]]))
    assert (r.status_code, r.json()["code"]) == (422, "notice_file_unknown")
    # An edit that drops the attachment deletes it.
    r = await t.patch(f"/api/v1/notices/{n['id']}", json={"attachments": []})
    assert r.status_code == 200 and r.json()["attachments"] == []
    assert (await t.get(att["url"])).status_code == 404
    # Recalled: recipients lose the files.
    await t.post(f"/api/v1/notices/{n['id']}/recall")
    assert (await p1.get(img["url"])).status_code == 404
    assert (await t.get(img["url"])).status_code == 200


async def test_loose_uploads_are_deleted_after_a_day(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    up = (
        await t.post("/api/v1/notices/files", files={"file": ("a.txt", b"x", "text/plain")})
    ).json()
    async with world.app.state.sessionmaker() as s:
        assert await delete_loose(s, datetime.now(UTC)) == 0
        assert await delete_loose(s, datetime.now(UTC) + timedelta(days=2)) == 1
        await s.commit()
    assert await count(world, NoticeFile) == 0
    assert (await t.get(up["url"])).status_code == 404


async def test_a_card_in_the_class_group_and_its_pinned_unread(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    conv = (await t.get(f"/api/v1/units/{school['klass'].id}/group")).json()
    n = await publish(t, to_guardians(school, importance="urgent"))
    await settle(world)
    msgs = (await p1.get(f"/api/v1/conversations/{conv['id']}/messages")).json()
    cards = [m for m in msgs["items"] if m["kind"] == "notice"]
    assert len(cards) == 1
    assert cards[0]["body"] == "期中家长会通知" and cards[0]["sender"] is None
    assert cards[0]["notice"] == {"notice_id": n["id"], "importance": "urgent"}
    # The job ran once: running what is due again posts nothing twice.
    await settle(world)
    async with world.app.state.sessionmaker() as s:
        assert (
            await s.scalar(
                select(func.count()).select_from(Message).where(Message.kind == "notice")
            )
        ) == 1
    pinned = (
        await p1.get(
            "/api/v1/notices/inbox", params={"unread": "true", "unit_id": school["klass"].id}
        )
    ).json()["items"]
    assert [i["id"] for i in pinned] == [n["id"]]
    await p1.post(f"/api/v1/notices/{n['id']}/read")
    pinned = (
        await p1.get(
            "/api/v1/notices/inbox", params={"unread": "true", "unit_id": school["klass"].id}
        )
    ).json()["items"]
    assert pinned == []


async def test_workbench_tile_counts_unread(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    await publish(t, to_guardians(school))
    tiles = {x["key"]: x for x in (await p1.get("/api/v1/workbench")).json()["tiles"]}
    assert tiles["notices.inbox"]["count"] == 1
    assert "notices.sent" not in tiles
    mine = {x["key"] for x in (await t.get("/api/v1/workbench")).json()["tiles"]}
    assert {"notices.inbox", "notices.sent"} <= mine
    listed = (await t.get("/api/v1/notices")).json()["items"]
    assert listed[0]["totals"] == {"total": 3, "read": 0, "confirmed": 0}
