"""Topics over the real socket: subscribing (checked by the domain that owns the topic),
refusals that leak nothing, delivery of one payload to a whole unit, unsubscribing, and
publishing without a runtime being an error."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from pydantic import BaseModel

from bellwork.db.engine import make_sessionmaker
from bellwork.db.session import unit_of_work
from bellwork.realtime.outbox import publish
from bellwork.runtime import NoRuntime
from tests.chat.conftest import connect
from tests.conftest import World


class Announcement(BaseModel):
    type: Literal["test.announcement"] = "test.announcement"
    text: str


async def announce(app: Any, topic: str, text: str) -> None:
    async with unit_of_work(app.state.sessionmaker) as db:
        publish(db, Announcement(text=text), [topic])


async def test_a_guardian_follows_their_school_and_hears_its_announcements(
    world: World, school: dict[str, Any], live: str
) -> None:
    other = await world.unit("另一所学校", "school")
    await world.commit()
    parent = await world.login(school["p1"])
    stranger = await world.person("路人", (other, "teacher"), username="stranger")
    outsider = await world.login(stranger)
    s_id = school["school"].id
    async with connect(live, parent) as ws, connect(live, outsider) as ows:
        await ws.send({"type": "subscribe", "topics": [f"unit:{s_id}", f"unit:{other.id}"]})
        refused = await ws.next("error")
        assert refused["code"] == "topic_refused" and refused["topic"] == f"unit:{other.id}"
        assert (await ws.next("subscribed"))["topics"] == [f"unit:{s_id}"]
        await ows.send({"type": "subscribe", "topics": [f"unit:{s_id}"]})
        assert (await ows.next("error"))["code"] == "topic_refused"
        assert (await ows.next("subscribed"))["topics"] == []
        await announce(world.app, f"unit:{s_id}", "明天放假")
        got = await ws.next("test.announcement")
        assert got["text"] == "明天放假"
        await ows.nothing()
        await ws.send({"type": "unsubscribe", "topics": [f"unit:{s_id}"]})
        assert (await ws.next("unsubscribed"))["topics"] == [f"unit:{s_id}"]
        await announce(world.app, f"unit:{s_id}", "again")
        await ws.nothing()


@pytest.mark.parametrize(
    "topics",
    [["unit:999999"], ["lesson:1"], ["person:{other}"], ["conv:{group}"], ["unit:{archived}"]],
)
async def test_refusals_are_alike_for_missing_and_not_yours(
    world: World, school: dict[str, Any], live: str, topics: list[str]
) -> None:
    archived = await world.unit("旧学校", "school")
    from bellwork.db.base import utcnow

    archived.archived_at = utcnow()
    await world.commit()
    teacher = await world.login(school["teacher"])
    group = (
        await teacher.post(
            "/api/v1/conversations/groups", json={"name": "老师群", "member_ids": []}
        )
    ).json()["id"]
    parent = await world.login(school["p2"])
    names = [
        t.format(other=school["teacher"].id, group=group, archived=archived.id) for t in topics
    ]
    async with connect(live, parent) as ws:
        await ws.send({"type": "subscribe", "topics": names})
        error = await ws.next()
        assert error["type"] == "error" and error["code"] == "topic_refused", error
        assert error["title"] == "该主题不存在或您无权订阅。"  # the socket's language: zh-CN
        assert (await ws.next("subscribed"))["topics"] == []


async def test_malformed_subscriptions_are_bad_frames(
    world: World, school: dict[str, Any], live: str
) -> None:
    parent = await world.login(school["p1"])
    async with connect(live, parent) as ws:
        for frame in (
            {"type": "subscribe", "topics": []},
            {"type": "subscribe", "topics": ["unit"]},
            {"type": "subscribe", "topics": ["Unit:1"]},
            {"type": "subscribe", "topics": ["unit:1; drop"]},
            {"type": "subscribe", "topics": [f"unit:{i}" for i in range(51)]},
        ):
            await ws.send(frame)
            assert (await ws.next())["code"] == "bad_frame", frame


async def test_a_head_above_a_unit_and_an_admin_may_follow_it(
    world: World, school: dict[str, Any], live: str
) -> None:
    bureau = await world.unit("教育局", "bureau")
    head = await world.person("局长", (bureau, "head"), username="chief")
    school["school"].parent_id = bureau.id
    school["school"].path = f"{bureau.path}{school['school'].id}/"
    await world.commit()
    k = school["klass"]
    k.path = f"{school['school'].path}{k.id}/"
    await world.commit()
    for person in (head, school["admin"]):
        c = await world.login(person)
        async with connect(live, c) as ws:
            await ws.send({"type": "subscribe", "topics": [f"unit:{k.id}"]})
            assert (await ws.next("subscribed"))["topics"] == [f"unit:{k.id}"]


async def test_a_member_may_follow_a_conversation_but_not_another(
    world: World, school: dict[str, Any], live: str
) -> None:
    teacher = await world.login(school["teacher"])
    mine = (
        await teacher.post(
            "/api/v1/conversations/groups", json={"name": "班级群", "member_ids": []}
        )
    ).json()["id"]
    async with connect(live, teacher) as ws:
        await ws.send(
            {"type": "subscribe", "topics": [f"conv:{mine}", f"person:{school['teacher'].id}"]}
        )
        assert (await ws.next("subscribed"))["topics"] == [
            f"conv:{mine}",
            f"person:{school['teacher'].id}",
        ]


async def test_publishing_without_a_runtime_is_an_error(app: Any) -> None:
    async with make_sessionmaker(app.state.engine)() as db:
        with pytest.raises(NoRuntime):
            publish(db, Announcement(text="x"), ["unit:1"])
