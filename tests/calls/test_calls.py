"""1:1 calls through the app against a real Janus, on SQLite and PostgreSQL: who may call
whom, ringing and answering (two devices at once: one wins), busy, declined, cancelled, missed
by the `calls.check` job, hang-up for both, the signalling of the call's media, and the notes
each call leaves in the two people's direct chat."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bellwork.config import Settings
from bellwork.jobs.runner import run_due
from tests.conftest import World
from tests.lessons.test_lessons import OFFER
from tests.media.conftest import RunningJanus, media_app


async def _world(app: Any) -> dict[str, Any]:
    async with app.state.sessionmaker() as db:
        w = World(app=app, db=db)
        school = await w.unit("School")
        c1 = await w.unit("Class 1", "class", school)
        other = await w.unit("Class 3", "class", school)
        teacher = await w.person("Teacher", (c1, "teacher"), username="t")
        a = await w.person("Ann", (c1, "student"), username="a")
        b = await w.person("Bob", (c1, "student"), username="b")
        gone = await w.person("Gone", (c1, "student"), username="g")
        stranger = await w.person("Stranger", (other, "student"), username="x")
        out = {
            "t": await w.login(teacher),
            "a": await w.login(a),
            "b": await w.login(b),
            "x": await w.login(stranger),
            "ids": {"t": teacher.id, "a": a.id, "b": b.id, "g": gone.id, "x": stranger.id},
        }
        gone.deactivated_at = datetime.now(UTC)
        await db.commit()
        return out


async def _notes(client: httpx.AsyncClient, conv: int) -> list[dict[str, Any]]:
    r = await client.get(f"/api/v1/conversations/{conv}/messages")
    assert r.status_code == 200, r.text
    return [
        m["call"] | {"sender": m["sender"]["name"]}
        for m in r.json()["items"]
        if m["kind"] == "call"
    ]


async def test_a_call_rings_is_answered_once_and_ends_for_both(
    migrated: str, settings: Settings, janus: RunningJanus
) -> None:
    async with media_app(
        migrated, settings, janus_run="never", janus_servers=[janus.server("sfu")]
    ) as app:
        p = await _world(app)
        t, a, b, x, ids = p["t"], p["a"], p["b"], p["x"], p["ids"]

        # Who may call whom: the directory's visibility, not oneself, not a deactivated account
        r = await x.post("/api/v1/calls", json={"person_id": ids["a"]})
        assert r.status_code == 404, r.text
        r = await a.post("/api/v1/calls", json={"person_id": ids["a"]})
        assert r.status_code == 422 and r.json()["code"] == "call_self", r.text
        r = await a.post("/api/v1/calls", json={"person_id": ids["g"]})
        assert r.status_code == 422 and r.json()["code"] == "person_inactive", r.text

        # Ann calls the teacher: it rings (the teacher's pages find it as their current call)
        r = await a.post("/api/v1/calls", json={"person_id": ids["t"], "video": True})
        assert r.status_code == 201, r.text
        call = r.json()
        cid = call["id"]
        assert call["state"] == "ringing" and call["video"] and call["callee"]["name"] == "Teacher"
        assert (await t.get("/api/v1/calls/current")).json()["id"] == cid
        assert (await x.get(f"/api/v1/calls/{cid}")).status_code == 404
        # Only the callee answers; the caller may send media while it rings, the callee not yet
        r = await a.post(f"/api/v1/calls/{cid}/accept", json={"device": "d0"})
        assert r.status_code == 403 and r.json()["code"] == "call_callee_only", r.text
        r = await t.post(
            f"/api/v1/calls/{cid}/publish", json={"jsep": {"type": "offer", "sdp": OFFER}}
        )
        assert r.status_code == 409 and r.json()["code"] == "call_not_answered", r.text
        r = await a.post(
            f"/api/v1/calls/{cid}/publish", json={"jsep": {"type": "offer", "sdp": OFFER}}
        )
        assert r.status_code == 200, r.text
        assert r.json()["jsep"]["type"] == "answer"
        ann_feed = r.json()["feed"]

        # Two of the teacher's devices answer at once: one wins, the other is told
        answers = await asyncio.gather(
            *(t.post(f"/api/v1/calls/{cid}/accept", json={"device": d}) for d in ("d1", "d2"))
        )
        codes = sorted(r.status_code for r in answers)
        assert codes == [200, 409], [r.text for r in answers]
        won = next(r.json() for r in answers if r.status_code == 200)
        lost = next(r.json() for r in answers if r.status_code == 409)
        assert lost["code"] == "call_answered_elsewhere"
        assert won["state"] == "active" and won["device"] in ("d1", "d2")
        assert (await t.get(f"/api/v1/calls/{cid}")).json()["device"] == won["device"]

        # Busy: Bob calls either of them; Ann cannot place a second call
        r = await b.post("/api/v1/calls", json={"person_id": ids["t"]})
        assert r.status_code == 201 and r.json()["state"] == "busy", r.text
        busy_conv = r.json()["conversation_id"]
        r = await b.post("/api/v1/calls", json={"person_id": ids["a"]})
        assert r.json()["state"] == "busy", r.text
        r = await a.post("/api/v1/calls", json={"person_id": ids["b"]})
        assert r.status_code == 409 and r.json()["code"] == "call_you_are_busy", r.text

        # Media: the teacher sends too. Janus offers a feed to watch once its media flows (the
        # browser test watches); before that, and for anyone else, there is nothing to watch.
        r = await t.post(
            f"/api/v1/calls/{cid}/publish", json={"jsep": {"type": "offer", "sdp": OFFER}}
        )
        assert r.status_code == 200 and r.json()["feed"] != ann_feed, r.text
        shown = (await a.get(f"/api/v1/calls/{cid}")).json()
        assert shown["caller_feed"] == ann_feed and shown["callee_feed"] == r.json()["feed"]
        assert (await t.post(f"/api/v1/calls/{cid}/watch")).status_code == 404
        assert (await x.post(f"/api/v1/calls/{cid}/watch")).status_code == 404
        assert (await t.post(f"/api/v1/calls/{cid}/here")).json()["state"] == "active"

        # The teacher hangs up: over for both, once; the room is gone from Janus
        r = await t.post(f"/api/v1/calls/{cid}/hangup")
        assert r.status_code == 200 and r.json()["state"] == "ended", r.text
        assert r.json()["ended_by"] == ids["t"] and r.json()["seconds"] is not None
        assert (await a.get(f"/api/v1/calls/{cid}")).json()["state"] == "ended"
        assert (await a.post(f"/api/v1/calls/{cid}/hangup")).json()["state"] == "ended"
        assert (await a.get("/api/v1/calls/current")).json() is None
        r = await a.post(f"/api/v1/calls/{cid}/watch")
        assert r.status_code == 409 and r.json()["code"] == "call_over", r.text
        assert not await janus.client().list_rooms()

        # The chat: one note of its time, said by the caller; Bob's busy call noted too
        notes = await _notes(t, call["conversation_id"])
        assert len(notes) == 1, notes
        assert notes[0]["outcome"] == "ended" and notes[0]["video"] and notes[0]["sender"] == "Ann"
        assert isinstance(notes[0]["seconds"], int)
        # What happened stays: the caller cannot recall a call's note
        r = await a.get(f"/api/v1/conversations/{call['conversation_id']}/messages")
        seq = next(m["seq"] for m in r.json()["items"] if m["kind"] == "call")
        r = await a.post(f"/api/v1/conversations/{call['conversation_id']}/messages/{seq}/recall")
        assert r.status_code == 403, r.text
        busy = await _notes(b, busy_conv)
        assert [n["outcome"] for n in busy] == ["busy"]


async def test_missed_declined_and_cancelled_calls(
    migrated: str, settings: Settings, janus: RunningJanus
) -> None:
    async with media_app(
        migrated, settings, janus_run="never", janus_servers=[janus.server("sfu")]
    ) as app:
        p = await _world(app)
        t, a, ids = p["t"], p["a"], p["ids"]

        # Nobody answers: the calls.check job makes it missed after the ringing time
        r = await a.post("/api/v1/calls", json={"person_id": ids["t"]})
        cid, conv = r.json()["id"], r.json()["conversation_id"]
        await run_due(app.state.runtime, clock=lambda: datetime.now(UTC))
        assert (await t.get(f"/api/v1/calls/{cid}")).json()["state"] == "ringing"
        later = datetime.now(UTC) + timedelta(seconds=r.json()["ring_seconds"] + 1)
        assert await run_due(app.state.runtime, clock=lambda: later) >= 1
        assert (await t.get(f"/api/v1/calls/{cid}")).json()["state"] == "missed"
        r = await t.post(f"/api/v1/calls/{cid}/accept", json={"device": "d1"})
        assert r.status_code == 409 and r.json()["code"] == "call_over", r.text

        # The teacher declines the next; Ann cancels the one after
        cid = (await a.post("/api/v1/calls", json={"person_id": ids["t"]})).json()["id"]
        r = await t.post(f"/api/v1/calls/{cid}/decline")
        assert r.json()["state"] == "declined", r.text
        cid = (await a.post("/api/v1/calls", json={"person_id": ids["t"]})).json()["id"]
        r = await a.post(f"/api/v1/calls/{cid}/hangup")
        assert r.json()["state"] == "cancelled", r.text
        assert not await janus.client().list_rooms()

        notes = await _notes(t, conv)
        assert [(n["outcome"], n["seconds"]) for n in notes] == [
            ("missed", None),
            ("declined", None),
            ("cancelled", None),
        ]
        # The missed call is unread for the teacher
        convs = (await t.get("/api/v1/conversations")).json()
        mine = next(c for c in convs["items"] if c["id"] == conv)
        assert mine["unread"] == 3, mine


async def test_no_media_server_no_call(migrated: str, settings: Settings) -> None:
    async with media_app(migrated, settings, janus_run="never", janus_servers=[]) as app:
        p = await _world(app)
        r = await p["a"].post("/api/v1/calls", json={"person_id": p["ids"]["t"]})
        assert r.status_code == 503 and r.json()["code"] == "media_unavailable", r.text
        assert (await p["t"].get("/api/v1/calls/current")).json() is None
