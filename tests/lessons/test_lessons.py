"""Live lessons through the app against a real Janus, on SQLite and PostgreSQL: who may join
(strangers 404), who may publish (a student off stage 403), the stage limit, the signalling of
publishing and watching, attendance intervals kept after the lesson ends."""

from __future__ import annotations

import asyncio
import io
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from bellwork.config import Settings
from bellwork.jobs.runner import run_due
from bellwork.lessons.models import LessonPresence
from bellwork.media.models import MediaRoom
from tests.conftest import World
from tests.media.conftest import JANUS, RunningJanus, media_app

# A browser-like offer (ICE gathering complete): Janus answers it; ICE never completes here.
OFFER = "\r\n".join(
    [
        "v=0",
        "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        "a=group:BUNDLE 0 1",
        "a=msid-semantic: WMS s",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111",
        "c=IN IP4 127.0.0.1",
        "a=rtcp:9 IN IP4 0.0.0.0",
        "a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host",
        "a=end-of-candidates",
        "a=ice-ufrag:abcd",
        "a=ice-pwd:abcdefghijklmnopqrstuvwx",
        "a=fingerprint:sha-256 " + ":".join(["AB"] * 32),
        "a=setup:actpass",
        "a=mid:0",
        "a=sendonly",
        "a=msid:s a",
        "a=rtcp-mux",
        "a=rtpmap:111 opus/48000/2",
        "a=ssrc:1001 cname:x",
        "m=video 9 UDP/TLS/RTP/SAVPF 96",
        "c=IN IP4 127.0.0.1",
        "a=rtcp:9 IN IP4 0.0.0.0",
        "a=ice-ufrag:abcd",
        "a=ice-pwd:abcdefghijklmnopqrstuvwx",
        "a=fingerprint:sha-256 " + ":".join(["AB"] * 32),
        "a=setup:actpass",
        "a=mid:1",
        "a=sendonly",
        "a=msid:s v",
        "a=rtcp-mux",
        "a=rtpmap:96 VP8/90000",
        "a=ssrc:2002 cname:x",
        "",
    ]
)


async def _world(app: Any) -> dict[str, Any]:
    async with app.state.sessionmaker() as db:
        w = World(app=app, db=db)
        school = await w.unit("School")
        c1 = await w.unit("Class 1", "class", school)
        c2 = await w.unit("Class 2", "class", school)
        other = await w.unit("Class 3", "class", school)
        teacher = await w.person("Teacher", (c1, "teacher"), (c2, "teacher"), username="t")
        head = await w.person("Head", (school, "head"), username="h")
        students = [
            await w.person(f"S{i}", (c1 if i < 4 else c2, "student"), username=f"s{i}")
            for i in range(7)
        ]
        stranger = await w.person("Stranger", (other, "student"), username="x")
        mom = await w.guardian("Mom", students[0], c1, username="mom")
        out = {
            "teacher": await w.login(teacher),
            "head": await w.login(head),
            "students": [await w.login(s) for s in students],
            "student_ids": [s.id for s in students],
            "stranger": await w.login(stranger),
            "mom": await w.login(mom),
            "units": [c1.id, c2.id, other.id],
        }
        return out


async def test_a_lesson_from_start_to_attendance(
    migrated: str, settings: Settings, janus: RunningJanus
) -> None:
    servers = [janus.server("sfu")]
    async with media_app(migrated, settings, janus_run="never", janus_servers=servers) as app:
        p = await _world(app)
        t, s = p["teacher"], p["students"]
        c1, c2, other = p["units"]
        # The classes' groups (made on first use)
        groups = {u: (await t.get(f"/api/v1/units/{u}/group")).json() for u in (c1, c2)}
        # Only classes one teaches
        r = await t.post(
            "/api/v1/lessons", json={"title": "x", "unit_ids": [other], "client_id": "a"}
        )
        assert r.status_code == 403, r.text
        r = await t.post(
            "/api/v1/lessons",
            json={"title": "数学", "unit_ids": [c1, c2], "client_id": "b", "start_now": True},
        )
        assert r.status_code == 201, r.text
        lesson = r.json()
        lid = lesson["id"]
        assert lesson["state"] == "live" and lesson["is_teacher"]
        again = await t.post(
            "/api/v1/lessons",
            json={"title": "数学", "unit_ids": [c1, c2], "client_id": "b", "start_now": True},
        )
        assert again.status_code == 200 and again.json()["id"] == lid

        # Its card in each class's group (the lessons.cards job), once
        for _ in range(2):
            await run_due(app.state.runtime, clock=lambda: datetime.now(UTC))
        for unit, reader in ((c1, p["mom"]), (c2, t)):
            conv = groups[unit]
            r = await reader.get(f"/api/v1/conversations/{conv['id']}/messages")
            assert r.status_code == 200, (r.text, conv)
            msgs = r.json()
            cards = [m for m in msgs["items"] if m["kind"] == "lesson"]
            assert len(cards) == 1, msgs
            assert cards[0]["body"] == "数学" and cards[0]["lesson"]["lesson_id"] == lid

        # A stranger: 404 for everything, like a lesson that does not exist
        for path in ("", "/attendance", "/comments"):
            assert (await p["stranger"].get(f"/api/v1/lessons/{lid}{path}")).status_code == 404
        assert (await p["stranger"].post(f"/api/v1/lessons/{lid}/join")).status_code == 404
        # A guardian of the class may join; a student may not see attendance
        assert (await p["mom"].post(f"/api/v1/lessons/{lid}/join")).status_code == 200
        assert (await s[0].get(f"/api/v1/lessons/{lid}/attendance")).status_code == 404
        assert (await p["head"].get(f"/api/v1/lessons/{lid}/attendance")).status_code == 200
        assert [x["id"] for x in (await p["head"].get("/api/v1/lessons")).json()] == [lid]
        assert (await p["stranger"].get("/api/v1/lessons")).json() == []

        # The teacher publishes through Bellwork; Janus answers
        jsep = {"type": "offer", "sdp": OFFER}
        r = await t.post(f"/api/v1/lessons/{lid}/publish", json={"jsep": jsep})
        assert r.status_code == 200, r.text
        feed = r.json()["feed"]
        assert r.json()["jsep"]["type"] == "answer"
        view = (await s[0].post(f"/api/v1/lessons/{lid}/join")).json()
        assert [f["feed"] for f in view["feeds"]] == [feed]
        # Janus offers a feed to watch once its media flows (the browser test watches); a feed
        # that is not the lesson's is not found.
        r = await s[0].post(f"/api/v1/lessons/{lid}/watch", json={"feed": feed + 1})
        assert r.status_code == 404
        # An answer with no offer before it on this node (the request gave its database
        # connection back before asking Janus): watch again.
        answer = {"feed": feed, "jsep": {"type": "answer", "sdp": "v=0"}}
        r = await s[0].post(f"/api/v1/lessons/{lid}/watch/answer", json=answer)
        assert r.status_code == 409 and r.json()["code"] == "lesson_watch_again"
        # Someone outside the lesson gets nothing from Janus: not found, as the lesson.
        r = await p["stranger"].post(f"/api/v1/lessons/{lid}/watch/answer", json=answer)
        assert r.status_code == 404

        # A student off stage cannot publish
        r = await s[1].post(f"/api/v1/lessons/{lid}/publish", json={"jsep": jsep})
        assert r.status_code == 403 and r.json()["code"] == "lesson_not_on_stage"

        # Hands, the stage and its limit
        for i in range(6):
            assert (await s[i].post(f"/api/v1/lessons/{lid}/hand")).status_code == 200
        for i in range(4):
            r = await t.post(f"/api/v1/lessons/{lid}/stage/{p['student_ids'][i]}")
            assert r.status_code == 200, r.text
        r = await t.post(f"/api/v1/lessons/{lid}/stage/{p['student_ids'][4]}")
        assert r.status_code == 409 and r.json()["code"] == "lesson_stage_full"
        # A student cannot accept
        r = await s[5].post(f"/api/v1/lessons/{lid}/stage/{p['student_ids'][5]}")
        assert r.status_code == 403
        r = await s[1].post(f"/api/v1/lessons/{lid}/publish", json={"jsep": jsep})
        assert r.status_code == 200, r.text
        sfeed = r.json()["feed"]
        view = (await s[2].get(f"/api/v1/lessons/{lid}")).json()
        assert {f["feed"] for f in view["feeds"]} == {feed, sfeed}
        # Off stage: the publisher is hung up in Janus, the feed gone for everyone
        r = await t.delete(f"/api/v1/lessons/{lid}/stage/{p['student_ids'][1]}")
        assert {f["feed"] for f in r.json()["feeds"]} == {feed}
        async with app.state.sessionmaker() as db:
            room = (await db.execute(select(MediaRoom))).scalars().one()
        jc = janus.client()
        try:
            ids = {x.id for x in await jc.list_participants(room.janus_room)}
        finally:
            await jc.close()
        assert feed in ids and sfeed not in ids
        r = await s[4].post(f"/api/v1/lessons/{lid}/stage/{p['student_ids'][4]}")
        assert r.status_code == 403
        assert (await t.post(f"/api/v1/lessons/{lid}/stage/{p['student_ids'][4]}")).is_success

        # Comments, and muting
        r = await s[0].post(f"/api/v1/lessons/{lid}/comments", json={"body": "老师好"})
        assert r.status_code == 201
        await t.post(
            f"/api/v1/lessons/{lid}/mute", json={"person_id": p["student_ids"][0], "muted": True}
        )
        r = await s[0].post(f"/api/v1/lessons/{lid}/comments", json={"body": "again"})
        assert r.status_code == 403 and r.json()["code"] == "lesson_you_are_muted"
        await t.post(f"/api/v1/lessons/{lid}/mute", json={"muted": True})
        r = await s[2].post(f"/api/v1/lessons/{lid}/comments", json={"body": "x"})
        assert r.json()["code"] == "lesson_comments_muted"
        assert (await s[2].post(f"/api/v1/lessons/{lid}/likes")).json() == 1

        # Attendance: s0 leaves and rejoins (two intervals); s6 joins; the teacher ends
        await asyncio.sleep(1.1)
        assert (await s[0].post(f"/api/v1/lessons/{lid}/leave")).status_code == 204
        await s[0].post(f"/api/v1/lessons/{lid}/join")
        await s[6].post(f"/api/v1/lessons/{lid}/join")
        r = await t.post(f"/api/v1/lessons/{lid}/end")
        assert r.json()["state"] == "ended" and r.json()["feeds"] == []
        async with app.state.sessionmaker() as db:
            rows = (
                (
                    await db.execute(
                        select(LessonPresence).where(
                            LessonPresence.person_id == p["student_ids"][0]
                        )
                    )
                )
                .scalars()
                .all()
            )
            assert len(rows) == 2 and all(x.left_at is not None for x in rows)
            room = (await db.execute(select(MediaRoom))).scalars().one()
            assert room.closed_at is not None
        att = (await t.get(f"/api/v1/lessons/{lid}/attendance")).json()
        by_class = {c["unit_id"]: c for c in att["classes"]}
        a1 = {a["person_id"]: a for a in by_class[c1]["attended"]}
        assert set(a1) == {p["student_ids"][0]}
        assert a1[p["student_ids"][0]]["joins"] == 2
        assert a1[p["student_ids"][0]]["live_seconds"] >= 1
        assert {x["id"] for x in by_class[c1]["absent"]} == set(p["student_ids"][1:4])
        assert [a["person_id"] for a in by_class[c2]["attended"]] == [p["student_ids"][6]]
        r = await t.get(f"/api/v1/lessons/{lid}/attendance.xlsx")
        assert r.status_code == 200
        rows_x = list(
            openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True)
        )
        assert len(rows_x) == 1 + 7
        # A page that vanished without leaving (no heartbeat since) counts until 90 s after
        # its last sign of life, not until the lesson ended
        assert (await s[6].post(f"/api/v1/lessons/{lid}/here")).status_code == 204
        async with app.state.sessionmaker() as db:
            row = (
                await db.execute(
                    select(LessonPresence).where(LessonPresence.person_id == p["student_ids"][6])
                )
            ).scalar_one()
            assert row.seen_at is not None and row.left_at is not None
            row.joined_at = row.left_at - timedelta(hours=1)
            row.seen_at = row.joined_at + timedelta(seconds=60)
            await db.commit()
        att = (await t.get(f"/api/v1/lessons/{lid}/attendance")).json()
        gone = [
            a
            for c in att["classes"]
            for a in c["attended"]
            if a["person_id"] == p["student_ids"][6]
        ]
        assert gone[0]["live_seconds"] == 150

        # After the end, nobody publishes
        r = await t.post(f"/api/v1/lessons/{lid}/publish", json={"jsep": jsep})
        assert r.status_code == 409


async def test_no_media_server_says_so(migrated: str, settings: Settings) -> None:
    async with media_app(migrated, settings, janus_run="never") as app:
        p = await _world(app)
        c1 = p["units"][0]
        r = await p["teacher"].post(
            "/api/v1/lessons",
            json={"title": "x", "unit_ids": [c1], "client_id": "z", "start_now": True},
        )
        assert r.status_code == 503 and r.json()["code"] == "media_unavailable"


def _restart(running: RunningJanus, where: Any) -> None:
    """Kills Janus and starts it again with the same config (same ports)."""
    running.restart()


async def test_janus_restarting_mid_lesson_opens_a_new_room_and_shows_the_gap(
    migrated: str, settings: Settings, tmp_path: Any
) -> None:
    """Janus forgets its rooms when it restarts: the next join finds the room gone, opens a new
    one, closes everyone's presence (the gap shows) and the teacher publishes again."""
    if JANUS is None:
        pytest.skip("janus is not installed")
    running = RunningJanus(tmp_path)
    try:
        servers = [running.server("sfu")]
        async with media_app(migrated, settings, janus_run="never", janus_servers=servers) as app:
            p = await _world(app)
            t, s0 = p["teacher"], p["students"][0]
            r = await t.post(
                "/api/v1/lessons",
                json={
                    "title": "x",
                    "unit_ids": p["units"][:1],
                    "client_id": "r",
                    "start_now": True,
                },
            )
            lid = r.json()["id"]
            jsep = {"type": "offer", "sdp": OFFER}
            assert (await t.post(f"/api/v1/lessons/{lid}/publish", json={"jsep": jsep})).is_success
            assert (await s0.post(f"/api/v1/lessons/{lid}/join")).is_success

            # Janus restarts (same config, same ports)
            await asyncio.to_thread(_restart, running, tmp_path)
            await asyncio.sleep(0.5)

            view = await s0.post(f"/api/v1/lessons/{lid}/join")
            assert view.status_code == 200, view.text
            assert view.json()["feeds"] == []  # the teacher must publish again
            r = await t.post(f"/api/v1/lessons/{lid}/publish", json={"jsep": jsep})
            assert r.status_code == 200, r.text
            async with app.state.sessionmaker() as db:
                rooms = (await db.execute(select(MediaRoom).order_by(MediaRoom.id))).scalars().all()
                assert len(rooms) == 2 and rooms[0].closed_at is not None
                assert rooms[1].closed_at is None
                rows = (
                    (
                        await db.execute(
                            select(LessonPresence)
                            .where(LessonPresence.person_id == p["student_ids"][0])
                            .order_by(LessonPresence.id)
                        )
                    )
                    .scalars()
                    .all()
                )
                assert len(rows) == 2
                assert rows[0].left_at is not None and rows[1].left_at is None
                assert rows[0].left_at <= rows[1].joined_at
            await t.post(f"/api/v1/lessons/{lid}/end")
    finally:
        running.stop()


async def test_a_class_tapping_likes_and_comments_fast_is_held_to_a_pace(
    migrated: str, settings: Settings, janus: RunningJanus
) -> None:
    servers = [janus.server("sfu")]
    async with media_app(migrated, settings, janus_run="never", janus_servers=servers) as app:
        p = await _world(app)
        t, s = p["teacher"], p["students"]
        r = await t.post(
            "/api/v1/lessons",
            json={"title": "x", "unit_ids": p["units"][:1], "client_id": "p", "start_now": True},
        )
        lid = r.json()["id"]

        async def live_tile(who: Any) -> int | None:
            tiles = (await who.get("/api/v1/workbench")).json()["tiles"]
            found = [x["count"] for x in tiles if x["key"] == "lessons.live"]
            return found[0] if found else None

        # On the workbench of the class's students, guardians and teacher, with the live count
        assert [await live_tile(x) for x in (s[0], p["mom"], t)] == [1, 1, 1]
        assert await live_tile(s[5]) == 0  # another class
        # Taps beyond a burst of 10 (then 5 a second) are not counted, and not refused either
        began = time.monotonic()
        counts = [(await s[0].post(f"/api/v1/lessons/{lid}/likes")).json() for _ in range(20)]
        refilled = 5 * (time.monotonic() - began)  # tokens back while tapping (a slow host)
        assert counts[:10] == list(range(1, 11)), counts
        assert max(counts) <= 10 + refilled + 1, (counts, refilled)
        assert (await s[1].post(f"/api/v1/lessons/{lid}/likes")).json() == max(counts) + 1
        # Comments: three at once, then one per 2 s; the teacher is not held back
        for i in range(3):
            r = await s[0].post(f"/api/v1/lessons/{lid}/comments", json={"body": f"{i}"})
            assert r.status_code == 201, r.text
        r = await s[0].post(f"/api/v1/lessons/{lid}/comments", json={"body": "again"})
        assert r.status_code == 429 and r.json()["code"] == "lesson_comments_too_fast"
        assert r.json()["title"] == "You are commenting too fast; wait a few seconds."
        assert r.headers["retry-after"] == "2"
        assert (await s[1].post(f"/api/v1/lessons/{lid}/comments", json={"body": "hi"})).is_success
        for i in range(5):
            r = await t.post(f"/api/v1/lessons/{lid}/comments", json={"body": f"t{i}"})
            assert r.status_code == 201
        bodies = [c["body"] for c in (await t.get(f"/api/v1/lessons/{lid}/comments")).json()]
        assert "again" not in bodies and len(bodies) == 3 + 1 + 5
        await t.post(f"/api/v1/lessons/{lid}/end")
        assert await live_tile(s[0]) == 0
