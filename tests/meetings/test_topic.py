"""`meeting:<id>` over the real socket: its members follow it and hear what the host changes;
anyone else is refused like a meeting that does not exist."""

from __future__ import annotations

from tests.chat.conftest import connect
from tests.conftest import World


async def test_members_follow_a_meeting_and_strangers_are_refused(world: World, live: str) -> None:
    company = await world.unit("Company", "company")
    team = await world.unit("Team", "department", company)
    other = await world.unit("Other", "department", company)
    host_p = await world.person("Host", (team, "head"), username="h")
    member_p = await world.person("Member", (team, "member"), username="m")
    stranger_p = await world.person("Stranger", (other, "member"), username="x")
    await world.commit()
    host, member, stranger = (
        await world.login(host_p),
        await world.login(member_p),
        await world.login(stranger_p),
    )
    r = await host.post(
        "/api/v1/meetings", json={"title": "周会", "unit_id": team.id, "client_id": "t"}
    )
    assert r.status_code == 201, r.text
    topic = f"meeting:{r.json()['id']}"
    async with connect(live, member) as ws, connect(live, stranger) as ows:
        await ows.send({"type": "subscribe", "topics": [topic]})
        refused = await ows.next("error")
        assert refused["code"] == "topic_refused" and refused["topic"] == topic
        assert (await ows.next("subscribed"))["topics"] == []
        await ws.send({"type": "subscribe", "topics": [topic]})
        assert (await ws.next("subscribed"))["topics"] == [topic]
        r = await host.post(f"/api/v1/meetings/{r.json()['id']}/lock", json={"on": True})
        assert r.status_code == 200, r.text
        changed = await ws.next("meeting.changed")
        assert changed["meeting"]["locked"] is True and changed["meeting"]["title"] == "周会"
        await ows.nothing()
