"""`meeting.changed` over the real socket carries one change, not the roster (docs/meetings.md,
"Roster events"): each event has the next version, the meeting without its participants, and
only the people who joined, changed or left; the whole roster comes from GET, whose version
the events continue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bellwork.config import Settings
from tests.chat.conftest import connect
from tests.media.conftest import RunningJanus, media_app
from tests.meetings.test_meetings import _world


@pytest.fixture
async def app(migrated: str, settings: Settings, janus: RunningJanus) -> AsyncIterator[Any]:
    """The `live` fixture serves this app: the test's settings with the real Janus."""
    servers = [janus.server("sfu")]
    async with media_app(migrated, settings, janus_run="never", janus_servers=servers) as a:
        yield a


async def test_events_carry_only_the_change_with_a_version(app: Any, live: str) -> None:
    w = await _world(app)
    host, (p0, p1, p2, _p3), ids = w["host"], w["p"], w["ids"]
    r = await host.post(
        "/api/v1/meetings",
        json={"title": "周会", "unit_id": w["team"], "client_id": "v", "start_now": True},
    )
    assert r.status_code == 201, r.text
    mid = r.json()["id"]
    for c in (p0, p1):
        assert (await c.post(f"/api/v1/meetings/{mid}/join")).is_success

    async with connect(live, p0) as ws:
        await ws.send({"type": "subscribe", "topics": [f"meeting:{mid}"]})
        assert (await ws.next("subscribed"))["topics"] == [f"meeting:{mid}"]
        # On connect: the whole roster by GET, and its version
        full = (await p0.get(f"/api/v1/meetings/{mid}")).json()
        assert {x["person_id"] for x in full["participants"]} == {w["host_id"], ids[0], ids[1]}
        version = full["version"]

        # Someone joins: only they are in the event
        assert (await p2.post(f"/api/v1/meetings/{mid}/join")).is_success
        ev = await ws.next("meeting.changed")
        assert ev["version"] == version + 1 and ev["meeting_id"] == mid
        assert [x["person_id"] for x in ev["people"]] == [ids[2]] and ev["gone"] == []
        assert ev["people"][0]["state"] == "in" and ev["people"][0]["name"] == "P2"
        assert "participants" not in ev["meeting"] and ev["meeting"]["title"] == "周会"

        # The host mutes one: only them, hard-muted
        r = await host.post(
            f"/api/v1/meetings/{mid}/mute", json={"person_id": ids[1], "muted": True}
        )
        assert r.status_code == 200, r.text
        ev = await ws.next("meeting.changed")
        assert ev["version"] == version + 2
        assert [(x["person_id"], x["hard_muted"]) for x in ev["people"]] == [(ids[1], True)]

        # The host changes: the old host and the new one
        r = await host.post(f"/api/v1/meetings/{mid}/host", json={"person_id": ids[2]})
        assert r.status_code == 200, r.text
        ev = await ws.next("meeting.changed")
        assert ev["version"] == version + 3 and ev["meeting"]["host"]["id"] == ids[2]
        hosts = {x["person_id"]: x["host"] for x in ev["people"]}
        assert hosts == {w["host_id"]: False, ids[2]: True}

        # A lock: the meeting only, no one in it
        assert (await p2.post(f"/api/v1/meetings/{mid}/lock", json={"on": True})).is_success
        ev = await ws.next("meeting.changed")
        assert ev["version"] == version + 4 and ev["meeting"]["locked"] is True
        assert ev["people"] == [] and ev["gone"] == []

        # Someone leaves: only their id, as gone
        assert (await p1.post(f"/api/v1/meetings/{mid}/leave")).status_code == 204
        ev = await ws.next("meeting.changed")
        assert ev["version"] == version + 5 and ev["people"] == [] and ev["gone"] == [ids[1]]

        # A client that missed one fetches again: the GET continues the same count
        again = (await p0.get(f"/api/v1/meetings/{mid}")).json()
        assert again["version"] == version + 5
        assert {x["person_id"] for x in again["participants"]} == {w["host_id"], ids[0], ids[2]}
        await p2.post(f"/api/v1/meetings/{mid}/end")
