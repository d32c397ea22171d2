"""Meetings through the app against a real Janus, on SQLite and PostgreSQL: who may join
(non-members 404), the card in the conversation, the host's tools (hard mute through Janus's
`moderate`, allow unmute, mute all, lock, waiting room, remove, hand over, end), attendance
intervals and their XLSX, the minutes in the conversation. The browser test
(tests/browser/test_meetings.py) proves with audio levels that a hard-muted participant is not
heard."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from bellwork.config import Settings
from bellwork.media.models import MediaRoom
from bellwork.meetings.models import MeetingPresence
from bellwork.meetings.streams import audio_mid, talking_event
from tests.conftest import World
from tests.lessons.test_lessons import OFFER, _restart
from tests.media.conftest import JANUS, RunningJanus, SlowJanus, media_app, slow_janus, until

JSEP = {"type": "offer", "sdp": OFFER}


async def _world(app: Any) -> dict[str, Any]:
    async with app.state.sessionmaker() as db:
        w = World(app=app, db=db)
        company = await w.unit("Company", "company")
        team = await w.unit("Team", "department", company)
        other = await w.unit("Other", "department", company)
        host = await w.person("Host", (team, "head"), username="h")
        people = [await w.person(f"P{i}", (team, "member"), username=f"p{i}") for i in range(4)]
        stranger = await w.person("Stranger", (other, "member"), username="x")
        return {
            "host": await w.login(host),
            "host_id": host.id,
            "p": [await w.login(p) for p in people],
            "ids": [p.id for p in people],
            "stranger": await w.login(stranger),
            "team": team.id,
        }


def _by_person(meeting: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {x["person_id"]: x for x in meeting["participants"]}


async def _janus_ids(janus: RunningJanus, app: Any) -> set[int]:
    async with app.state.sessionmaker() as db:
        room = (
            (await db.execute(select(MediaRoom).where(MediaRoom.closed_at.is_(None))))
            .scalars()
            .one()
        )
    jc = janus.client()
    try:
        return {x.id for x in await jc.list_participants(room.janus_room)}
    finally:
        await jc.close()


async def test_a_meeting_with_the_host_tools_and_attendance(
    migrated: str, settings: Settings, janus: RunningJanus
) -> None:
    servers = [janus.server("sfu")]
    async with media_app(migrated, settings, janus_run="never", janus_servers=servers) as app:
        w = await _world(app)
        h, p, ids = w["host"], w["p"], w["ids"]
        body = {"title": "周例会", "unit_id": w["team"], "client_id": "m1", "start_now": True}
        r = await h.post("/api/v1/meetings", json=body)
        assert r.status_code == 201, r.text
        m = r.json()
        mid = m["id"]
        assert m["state"] == "live" and m["is_host"] and m["me"] == "in"
        assert [x["person_id"] for x in m["participants"]] == [w["host_id"]]
        again = await h.post("/api/v1/meetings", json=body)
        assert again.status_code == 200 and again.json()["id"] == mid
        # One audience only
        bad = await h.post(
            "/api/v1/meetings",
            json={"title": "x", "unit_id": w["team"], "person_ids": [ids[0]], "client_id": "b"},
        )
        assert bad.status_code == 422

        # Its card in the team's group, for its members
        conv = m["conversation_id"]
        msgs = (await p[0].get(f"/api/v1/conversations/{conv}/messages")).json()["items"]
        cards = [x for x in msgs if x["kind"] == "meeting"]
        assert len(cards) == 1 and cards[0]["meeting"]["meeting_id"] == mid
        assert cards[0]["body"] == "周例会"

        # Not a member of the conversation: 404 for everything, like no meeting at all
        x = w["stranger"]
        for path in ("", "/attendance"):
            assert (await x.get(f"/api/v1/meetings/{mid}{path}")).status_code == 404
        for path in ("/join", "/mute", "/publish"):
            assert (await x.post(f"/api/v1/meetings/{mid}{path}", json={})).status_code in (
                404,
                422,
            )
        assert (await x.post(f"/api/v1/meetings/{mid}/join")).status_code == 404
        assert (await x.get("/api/v1/meetings")).json() == []
        assert [s["id"] for s in (await p[0].get("/api/v1/meetings")).json()] == [mid]

        # Joining: in at once, muted and camera off; publishing through Bellwork
        r = await p[0].post(f"/api/v1/meetings/{mid}/join")
        assert r.status_code == 200 and r.json()["me"] == "in"
        a = _by_person(r.json())[ids[0]]
        assert (a["mic"], a["camera"], a["hard_muted"]) == (False, False, False)
        r = await h.post(f"/api/v1/meetings/{mid}/publish", json={"jsep": JSEP})
        assert r.status_code == 200 and r.json()["jsep"]["type"] == "answer", r.text
        hfeed = r.json()["feed"]
        r = await p[0].post(f"/api/v1/meetings/{mid}/publish", json={"jsep": JSEP})
        afeed = r.json()["feed"]
        r = await p[0].post(f"/api/v1/meetings/{mid}/devices", json={"mic": True})
        assert _by_person(r.json())[ids[0]]["mic"] is True
        assert {hfeed, afeed} <= await _janus_ids(janus, app)
        # A feed that is not the meeting's is not found
        r = await p[0].post(f"/api/v1/meetings/{mid}/watch", json={"feed": afeed + hfeed})
        assert r.status_code == 404
        # One screen share at a time
        r = await p[0].post(f"/api/v1/meetings/{mid}/publish", json={"jsep": JSEP, "screen": True})
        assert r.status_code == 200
        r = await h.post(f"/api/v1/meetings/{mid}/publish", json={"jsep": JSEP, "screen": True})
        assert r.status_code == 409 and r.json()["code"] == "meeting_screen_busy"
        await p[0].post(f"/api/v1/meetings/{mid}/unpublish?screen=true")

        # The host's tools are the host's
        r = await p[0].post(f"/api/v1/meetings/{mid}/mute", json={"muted": True})
        assert r.status_code == 403 and r.json()["code"] == "meeting_host_only"

        # A hard mute: Janus mutes the stream; the participant cannot unmute
        r = await h.post(f"/api/v1/meetings/{mid}/mute", json={"person_id": ids[0], "muted": True})
        assert r.status_code == 200, r.text
        a = _by_person(r.json())[ids[0]]
        assert a["hard_muted"] and not a["mic"]
        r = await p[0].post(f"/api/v1/meetings/{mid}/devices", json={"mic": True})
        assert r.status_code == 403 and r.json()["code"] == "meeting_muted_by_host"
        # Publishing again (a new feed) stays muted
        r = await p[0].post(f"/api/v1/meetings/{mid}/publish", json={"jsep": JSEP})
        assert r.status_code == 200
        assert _by_person((await h.get(f"/api/v1/meetings/{mid}")).json())[ids[0]]["hard_muted"]
        # Allowed to unmute
        r = await h.post(f"/api/v1/meetings/{mid}/mute", json={"person_id": ids[0], "muted": False})
        assert not _by_person(r.json())[ids[0]]["hard_muted"]
        r = await p[0].post(f"/api/v1/meetings/{mid}/devices", json={"mic": True})
        assert r.status_code == 200

        # Mute all: everyone but the host, and whoever joins later
        await p[1].post(f"/api/v1/meetings/{mid}/join")
        r = await h.post(f"/api/v1/meetings/{mid}/mute", json={"muted": True})
        people = _by_person(r.json())
        assert r.json()["all_muted"] and not people[w["host_id"]]["hard_muted"]
        assert people[ids[0]]["hard_muted"] and people[ids[1]]["hard_muted"]
        r = await p[2].post(f"/api/v1/meetings/{mid}/join")
        assert _by_person(r.json())[ids[2]]["hard_muted"]
        await h.post(f"/api/v1/meetings/{mid}/mute", json={"muted": False})

        # Lock: nobody new
        await h.post(f"/api/v1/meetings/{mid}/lock", json={"on": True})
        r = await p[3].post(f"/api/v1/meetings/{mid}/join")
        assert r.status_code == 403 and r.json()["code"] == "meeting_locked"
        await h.post(f"/api/v1/meetings/{mid}/lock", json={"on": False})
        # The waiting room: wait, cannot publish, until admitted
        await h.post(f"/api/v1/meetings/{mid}/waiting-room", json={"on": True})
        r = await p[3].post(f"/api/v1/meetings/{mid}/join")
        assert r.json()["me"] == "waiting"
        r = await p[3].post(f"/api/v1/meetings/{mid}/publish", json={"jsep": JSEP})
        assert r.status_code == 403 and r.json()["code"] == "meeting_not_in"
        r = await h.post(f"/api/v1/meetings/{mid}/admit/{ids[3]}")
        assert _by_person(r.json())[ids[3]]["state"] == "in"
        await h.post(f"/api/v1/meetings/{mid}/waiting-room", json={"on": False})

        # Remove: kicked out of the Janus room, cannot come back
        r = await p[1].post(f"/api/v1/meetings/{mid}/publish", json={"jsep": JSEP})
        bfeed = r.json()["feed"]
        assert bfeed in await _janus_ids(janus, app)
        r = await h.post(f"/api/v1/meetings/{mid}/remove/{ids[1]}")
        assert ids[1] not in _by_person(r.json())
        assert bfeed not in await _janus_ids(janus, app)
        r = await p[1].post(f"/api/v1/meetings/{mid}/join")
        assert r.status_code == 403 and r.json()["code"] == "meeting_removed"
        r = await h.post(f"/api/v1/meetings/{mid}/remove/{w['host_id']}")
        assert r.status_code == 403

        # A leaves and comes back (two intervals)
        await asyncio.sleep(1.1)
        assert (await p[0].post(f"/api/v1/meetings/{mid}/leave")).status_code == 204
        await p[0].post(f"/api/v1/meetings/{mid}/join")

        # Hand the host role over; the new host ends it for everyone
        r = await h.post(f"/api/v1/meetings/{mid}/host", json={"person_id": ids[0]})
        assert r.status_code == 200, r.text
        assert r.json()["host"]["id"] == ids[0]
        r = await h.post(f"/api/v1/meetings/{mid}/mute", json={"muted": True})
        assert r.status_code == 403
        r = await p[0].post(f"/api/v1/meetings/{mid}/end")
        assert r.json()["state"] == "ended" and r.json()["participants"] == []
        async with app.state.sessionmaker() as db:
            rows = (await db.execute(select(MeetingPresence))).scalars().all()
            assert rows and all(x.left_at is not None for x in rows)
            room = (await db.execute(select(MediaRoom))).scalars().one()
            assert room.closed_at is not None
        r = await h.post(f"/api/v1/meetings/{mid}/publish", json={"jsep": JSEP})
        assert r.status_code == 409

        # Attendance: the host now and the creator; not the others
        assert (await p[2].get(f"/api/v1/meetings/{mid}/attendance")).status_code == 404
        att = (await h.get(f"/api/v1/meetings/{mid}/attendance")).json()
        came = {a["person_id"]: a for a in att["attended"]}
        assert set(came) == {w["host_id"], *ids}
        assert came[ids[0]]["joins"] == 2 and came[ids[0]]["seconds"] >= 1
        assert came[ids[1]]["joins"] == 1
        assert att["absent"] == []
        r = await p[0].get(f"/api/v1/meetings/{mid}/attendance.xlsx")
        assert r.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
        rows_x = list(sheet.iter_rows(values_only=True))
        assert rows_x[0][0] == "Name" and len(rows_x) == 1 + 5

        # The minutes, as the host's message in the conversation
        r = await h.post(f"/api/v1/meetings/{mid}/minutes", json={"text": "1. 下周上线"})
        assert r.status_code == 201, r.text
        msgs = (await p[3].get(f"/api/v1/conversations/{conv}/messages")).json()["items"]
        last = msgs[-1]
        assert last["sender"]["id"] == w["host_id"] and last["kind"] == "text"
        assert "周例会" in last["body"] and "5 attended" in last["body"]
        assert last["body"].endswith("1. 下周上线")
        assert (
            await p[2].post(f"/api/v1/meetings/{mid}/minutes", json={"text": "x"})
        ).status_code == 404


async def test_invited_people_and_a_scheduled_meeting(
    migrated: str, settings: Settings, janus: RunningJanus
) -> None:
    servers = [janus.server("sfu")]
    async with media_app(migrated, settings, janus_run="never", janus_servers=servers) as app:
        w = await _world(app)
        h, p, ids = w["host"], w["p"], w["ids"]
        r = await h.post(
            "/api/v1/meetings",
            json={
                "title": "面试",
                "person_ids": [ids[0]],
                "client_id": "i",
                "starts_at": "2026-12-01T02:00:00Z",
                "waiting_room": True,
            },
        )
        assert r.status_code == 201, r.text
        mid = r.json()["id"]
        assert r.json()["state"] == "scheduled"
        # A group was made for the invited: they may join, the rest of the team may not
        assert (await p[0].get(f"/api/v1/meetings/{mid}")).status_code == 200
        assert (await p[1].get(f"/api/v1/meetings/{mid}")).status_code == 404
        # Not started: joining changes nothing; only the host starts it
        r = await p[0].post(f"/api/v1/meetings/{mid}/join")
        assert r.json()["state"] == "scheduled" and r.json()["me"] is None
        assert (await p[0].post(f"/api/v1/meetings/{mid}/start")).status_code == 403
        r = await h.post(f"/api/v1/meetings/{mid}/start")
        assert r.json()["state"] == "live"
        r = await p[0].post(f"/api/v1/meetings/{mid}/join")
        assert r.json()["me"] == "waiting"
        # Turning the waiting room off admits who waits
        r = await h.post(f"/api/v1/meetings/{mid}/waiting-room", json={"on": False})
        assert _by_person(r.json())[ids[0]]["state"] == "in"
        att = (await h.get(f"/api/v1/meetings/{mid}/attendance")).json()
        assert {a["person_id"] for a in att["attended"]} == {w["host_id"], ids[0]}
        await h.post(f"/api/v1/meetings/{mid}/end")
        # Nobody invited besides oneself
        r = await h.post(
            "/api/v1/meetings", json={"title": "x", "person_ids": [w["host_id"]], "client_id": "z"}
        )
        assert r.status_code == 422 and r.json()["code"] == "meeting_nobody_invited"
        # A unit whose group one is not in: said so (the unit tree is no secret)
        r = await w["stranger"].post(
            "/api/v1/meetings", json={"title": "x", "unit_id": w["team"], "client_id": "u"}
        )
        assert r.status_code == 403 and r.json()["code"] == "meeting_not_in_unit"


async def test_no_media_server_says_so(migrated: str, settings: Settings) -> None:
    async with media_app(migrated, settings, janus_run="never") as app:
        w = await _world(app)
        r = await w["host"].post(
            "/api/v1/meetings",
            json={"title": "x", "unit_id": w["team"], "client_id": "n", "start_now": True},
        )
        assert r.status_code == 503 and r.json()["code"] == "media_unavailable"


def test_what_is_read_from_sdp_and_janus_events() -> None:
    assert audio_mid(OFFER) == "0"
    video_first = OFFER.replace("m=audio", "m=xaudio").replace("m=video", "m=audio")
    assert audio_mid(video_first) == "1"
    assert audio_mid("v=0\r\nm=video 9 UDP 96\r\na=mid:v\r\n") is None
    talking = {"plugindata": {"data": {"videoroom": "talking", "room": 1, "id": 42}}}
    assert talking_event(talking) == (42, True)
    stopped = {"plugindata": {"data": {"videoroom": "stopped-talking", "id": 42}}}
    assert talking_event(stopped) == (42, False)
    assert talking_event({"plugindata": {"data": {"videoroom": "event"}}}) is None


async def test_janus_restarting_mid_meeting_opens_a_new_room_and_shows_the_gap(
    migrated: str, settings: Settings, tmp_path: Any
) -> None:
    """Janus forgets its rooms when it restarts: the next join finds the room gone, opens a new
    one, clears the feeds, and everyone in the meeting gets a new presence interval (the gap
    between shows); a hard mute holds on the feed published again."""
    if JANUS is None:
        pytest.skip("janus is not installed")
    running = RunningJanus(tmp_path)
    try:
        servers = [running.server("sfu")]
        async with media_app(migrated, settings, janus_run="never", janus_servers=servers) as app:
            w = await _world(app)
            h, a = w["host"], w["p"][0]
            r = await h.post(
                "/api/v1/meetings",
                json={"title": "x", "unit_id": w["team"], "client_id": "r", "start_now": True},
            )
            mid = r.json()["id"]
            await a.post(f"/api/v1/meetings/{mid}/join")
            assert (await a.post(f"/api/v1/meetings/{mid}/publish", json={"jsep": JSEP})).is_success
            await h.post(
                f"/api/v1/meetings/{mid}/mute", json={"person_id": w["ids"][0], "muted": True}
            )

            await asyncio.to_thread(_restart, running, tmp_path)
            await asyncio.sleep(0.5)

            r = await a.post(f"/api/v1/meetings/{mid}/join")
            assert r.status_code == 200, r.text
            assert all(p["feed"] is None for p in r.json()["participants"])
            assert _by_person(r.json())[w["ids"][0]]["hard_muted"]
            r = await a.post(f"/api/v1/meetings/{mid}/publish", json={"jsep": JSEP})
            assert r.status_code == 200, r.text
            async with app.state.sessionmaker() as db:
                rooms = (await db.execute(select(MediaRoom).order_by(MediaRoom.id))).scalars().all()
                assert len(rooms) == 2 and rooms[0].closed_at is not None
                rows = (
                    (
                        await db.execute(
                            select(MeetingPresence)
                            .where(MeetingPresence.person_id == w["host_id"])
                            .order_by(MeetingPresence.id)
                        )
                    )
                    .scalars()
                    .all()
                )
                assert len(rows) == 2 and rows[0].left_at is not None and rows[1].left_at is None
            await h.post(f"/api/v1/meetings/{mid}/end")
    finally:
        running.stop()


async def test_a_full_meeting_says_so(
    migrated: str, settings: Settings, janus: RunningJanus, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bellwork.meetings import service

    monkeypatch.setattr(service, "LIMIT", 2)
    servers = [janus.server("sfu")]
    async with media_app(migrated, settings, janus_run="never", janus_servers=servers) as app:
        w = await _world(app)
        h, p = w["host"], w["p"]
        r = await h.post(
            "/api/v1/meetings",
            json={"title": "x", "unit_id": w["team"], "client_id": "f", "start_now": True},
        )
        mid = r.json()["id"]
        assert (await p[0].post(f"/api/v1/meetings/{mid}/join")).status_code == 200
        r = await p[1].post(f"/api/v1/meetings/{mid}/join")
        assert r.status_code == 409 and r.json()["code"] == "meeting_full"
        # Someone leaving makes room
        await p[0].post(f"/api/v1/meetings/{mid}/leave")
        assert (await p[1].post(f"/api/v1/meetings/{mid}/join")).json()["me"] == "in"
        await h.post(f"/api/v1/meetings/{mid}/end")


async def test_watching_gives_the_database_back_while_janus_answers(
    migrated: str, settings: Settings, janus: RunningJanus
) -> None:
    """A watch's database work is done before it asks Janus for the offer: while Janus is
    slow to answer, the request holds no connection and (on SQLite) not the write gate, so
    another writer goes ahead (a meeting watched by many at once queued behind each other's
    Janus round trips)."""
    async with slow_janus(janus) as relay:
        servers = [relay.server("sfu")]
        async with media_app(migrated, settings, janus_run="never", janus_servers=servers) as app:
            await _slow_watch(app, relay)


async def _slow_watch(app: Any, relay: SlowJanus) -> None:
    w = await _world(app)
    h, p = w["host"], w["p"]
    body = {"title": "t", "unit_id": w["team"], "client_id": "s", "start_now": True}
    mid = (await h.post("/api/v1/meetings", json=body)).json()["id"]
    assert (await p[0].post(f"/api/v1/meetings/{mid}/join")).status_code == 200
    r = await h.post(f"/api/v1/meetings/{mid}/publish", json={"jsep": JSEP})
    assert r.status_code == 200, r.text
    feed = r.json()["feed"]

    relay.hold(b'"attach"')  # the subscriber's handle: Janus answers when released
    watching = asyncio.create_task(p[0].post(f"/api/v1/meetings/{mid}/watch", json={"feed": feed}))
    try:
        await asyncio.wait_for(relay.reached.wait(), 10)
        engine = app.state.runtime.engine
        await until(lambda: engine.pool.checkedout() == 0, "the watch gives its connection back")
        r = await asyncio.wait_for(h.post(f"/api/v1/meetings/{mid}/devices", json={"mic": True}), 3)
        assert r.status_code == 200, r.text
        assert not watching.done()
    finally:
        relay.release()
    # Then Janus answers: no offer for a feed whose media does not flow yet (the browser
    # test watches), but an answer all the same
    r = await watching
    assert r.status_code == 404 and r.json()["title"] == "Video not found.", r.text
    answer = {"feed": feed, "jsep": {"type": "answer", "sdp": "v=0"}}
    r = await w["stranger"].post(f"/api/v1/meetings/{mid}/watch/answer", json=answer)
    assert r.status_code == 404
    r = await p[0].post(f"/api/v1/meetings/{mid}/unwatch", json={"feed": feed})
    assert r.status_code == 204
    r = await p[0].post(f"/api/v1/meetings/{mid}/watch/answer", json=answer)
    assert r.status_code == 409 and r.json()["code"] == "meeting_watch_again"
