"""A call's media outlives a Janus restart and a page reload (docs/calls.md, "Surviving a
restart"), against a real Janus on SQLite and PostgreSQL: the heartbeat finds the room gone,
opens a new one and both sides publish again; a page going away clears its feed and has
`AWAY_SECONDS` to come back before the call ends."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bellwork.calls.service import AWAY_SECONDS
from bellwork.config import Settings
from bellwork.jobs.runner import run_due
from bellwork.media.models import MediaRoom
from tests.calls.test_calls import _notes, _world
from tests.lessons.test_lessons import OFFER, _restart
from tests.media.conftest import JANUS, RunningJanus, media_app, slow_janus, until

JSEP = {"jsep": {"type": "offer", "sdp": OFFER}}


async def _answered(p: dict[str, Any]) -> dict[str, Any]:
    """Ann calls the teacher, who answers; both send."""
    a, t = p["a"], p["t"]
    r = await a.post("/api/v1/calls", json={"person_id": p["ids"]["t"], "video": True})
    cid = r.json()["id"]
    assert (await t.post(f"/api/v1/calls/{cid}/accept", json={"device": "d1"})).is_success
    assert (await a.post(f"/api/v1/calls/{cid}/publish", json=JSEP)).is_success
    assert (await t.post(f"/api/v1/calls/{cid}/publish", json=JSEP)).is_success
    call = (await a.get(f"/api/v1/calls/{cid}")).json()
    assert call["caller_feed"] and call["callee_feed"] and call["media_room"]
    return call


async def test_janus_restarting_mid_call_gives_the_call_a_new_room(
    migrated: str, settings: Settings, tmp_path: Any
) -> None:
    if JANUS is None:
        pytest.skip("janus is not installed")
    running = RunningJanus(tmp_path)
    try:
        servers = [running.server("sfu")]
        async with media_app(migrated, settings, janus_run="never", janus_servers=servers) as app:
            p = await _world(app)
            a, t = p["a"], p["t"]
            call = await _answered(p)
            cid = call["id"]

            await asyncio.to_thread(_restart, running, tmp_path)
            await asyncio.sleep(0.5)

            # The teacher's heartbeat finds the room gone: a new one, both feeds cleared (both
            # sides get this as `call.changed` and send again); the call goes on
            r = await t.post(f"/api/v1/calls/{cid}/here")
            assert r.status_code == 200, r.text
            now = r.json()
            assert now["state"] == "active"
            assert now["media_room"] not in (None, call["media_room"])
            assert now["caller_feed"] is None and now["callee_feed"] is None
            assert (await a.get("/api/v1/calls/current")).json()["media_room"] == now["media_room"]
            # Ann's own beat changes nothing more
            again = (await a.post(f"/api/v1/calls/{cid}/here")).json()
            assert again["media_room"] == now["media_room"]

            r1 = await a.post(f"/api/v1/calls/{cid}/publish", json=JSEP)
            r2 = await t.post(f"/api/v1/calls/{cid}/publish", json=JSEP)
            assert r1.status_code == 200 and r2.status_code == 200, (r1.text, r2.text)
            shown = (await t.get(f"/api/v1/calls/{cid}")).json()
            assert shown["caller_feed"] == r1.json()["feed"]
            assert shown["callee_feed"] == r2.json()["feed"]
            async with app.state.sessionmaker() as db:
                rooms = (await db.execute(select(MediaRoom).order_by(MediaRoom.id))).scalars().all()
                assert [r.closed_at is None for r in rooms] == [False, True]
            assert len(await running.client().list_rooms()) == 1

            r = await a.post(f"/api/v1/calls/{cid}/hangup")
            assert r.json()["state"] == "ended", r.text
            assert not await running.client().list_rooms()
            notes = await _notes(t, call["conversation_id"])
            assert [n["outcome"] for n in notes] == ["ended"]
    finally:
        running.stop()


async def test_a_page_reloading_comes_back_and_one_that_does_not_ends_the_call(
    migrated: str, settings: Settings, janus: RunningJanus
) -> None:
    async with media_app(
        migrated, settings, janus_run="never", janus_servers=[janus.server("sfu")]
    ) as app:
        p = await _world(app)
        a, t = p["a"], p["t"]
        call = await _answered(p)
        cid = call["id"]

        # Ann's page reloads: as it hides it says so; the teacher stops watching her feed
        stale = await a.post(f"/api/v1/calls/{cid}/away", json={"feed": 12345})
        assert stale.json()["caller_feed"] == call["caller_feed"]  # not her current page: no-op
        r = await a.post(f"/api/v1/calls/{cid}/away", json={"feed": call["caller_feed"]})
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "active" and r.json()["caller_feed"] is None
        # The new page finds her call, beats and sends again: the call goes on
        assert (await a.get("/api/v1/calls/current")).json()["id"] == cid
        assert (await a.post(f"/api/v1/calls/{cid}/here")).json()["state"] == "active"
        r = await a.post(f"/api/v1/calls/{cid}/publish", json=JSEP)
        assert r.status_code == 200, r.text
        assert (await t.get(f"/api/v1/calls/{cid}")).json()["caller_feed"] == r.json()["feed"]
        later = datetime.now(UTC) + timedelta(seconds=AWAY_SECONDS + 2)
        await run_due(app.state.runtime, clock=lambda: later)
        assert (await t.get(f"/api/v1/calls/{cid}")).json()["state"] == "active"

        # The teacher closes the page and does not come back: the call ends by itself
        feed = (await a.get(f"/api/v1/calls/{cid}")).json()["callee_feed"]
        r = await t.post(f"/api/v1/calls/{cid}/away", json={"feed": feed})
        assert r.json()["callee_feed"] is None
        later = datetime.now(UTC) + timedelta(seconds=AWAY_SECONDS + 2)
        assert await run_due(app.state.runtime, clock=lambda: later) >= 1
        done = (await a.get(f"/api/v1/calls/{cid}")).json()
        assert done["state"] == "ended" and done["ended_by"] is None
        assert done["seconds"] is not None and done["ended_at"] < later.isoformat()
        assert not await janus.client().list_rooms()


async def test_watching_gives_the_database_back_while_janus_answers(
    migrated: str, settings: Settings, janus: RunningJanus
) -> None:
    """A call's watch does its database work before it asks Janus for the offer: while Janus
    is slow to answer, the request holds no connection and (on SQLite) not the write gate, so
    the other side's heartbeat goes ahead."""
    async with slow_janus(janus) as relay:
        servers = [relay.server("sfu")]
        async with media_app(migrated, settings, janus_run="never", janus_servers=servers) as app:
            p = await _world(app)
            a, t = p["a"], p["t"]
            call = await _answered(p)
            cid = call["id"]

            relay.hold(b'"attach"')  # the subscriber's handle: Janus answers when released
            watching = asyncio.create_task(t.post(f"/api/v1/calls/{cid}/watch"))
            try:
                await asyncio.wait_for(relay.reached.wait(), 10)
                engine = app.state.runtime.engine
                await until(lambda: engine.pool.checkedout() == 0, "the watch gives it back")
                r = await asyncio.wait_for(a.post(f"/api/v1/calls/{cid}/here"), 3)
                assert r.status_code == 200 and r.json()["state"] == "active", r.text
                assert not watching.done()
            finally:
                relay.release()
            # Then Janus answers: no offer for a feed whose media does not flow yet (the
            # browser test watches), but an answer all the same
            r = await watching
            assert r.status_code == 404 and r.json()["code"] == "not_found", r.text
            answer = {"jsep": {"type": "answer", "sdp": "v=0"}}
            r = await p["x"].post(f"/api/v1/calls/{cid}/watch/answer", json=answer)
            assert r.status_code == 404
            r = await t.post(f"/api/v1/calls/{cid}/watch/answer", json=answer)
            assert r.status_code == 409 and r.json()["code"] == "call_watch_again", r.text
