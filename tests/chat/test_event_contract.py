"""The event contract: a client that applies the WebSocket events to the state it fetched
earlier ends up with exactly what a fresh fetch returns (Zulip's verify_action idea)."""

from __future__ import annotations

from typing import Any

import httpx

from bellwork.protocol import PROTOCOL
from tests.chat.conftest import Socket, cmid, connect, send
from tests.conftest import World

KEYS = (
    "id",
    "name",
    "kind",
    "last_seq",
    "last_read_seq",
    "unread",
    "member_count",
    "my_role",
    "muted",
    "pinned",
    "mention_seq",
    "mention_all_seq",
)


def read_past_mentions(conv: dict[str, Any]) -> None:
    """A marker goes once one's read position passes its message (as the web client does)."""
    for key in ("mention_seq", "mention_all_seq"):
        if conv[key] is not None and conv[key] <= conv["last_read_seq"]:
            conv[key] = None


class ClientState:
    """What a client keeps: its conversation list and the messages it has loaded."""

    def __init__(self, me: int) -> None:
        self.me = me
        self.convs: dict[int, dict[str, Any]] = {}
        self.msgs: dict[int, dict[int, dict[str, Any]]] = {}

    async def load(self, c: httpx.AsyncClient) -> None:
        self.convs = {x["id"]: x for x in (await c.get("/api/v1/conversations")).json()["items"]}
        self.msgs = {}
        for cid in self.convs:
            page = (
                await c.get(f"/api/v1/conversations/{cid}/messages", params={"limit": 200})
            ).json()
            self.msgs[cid] = {m["seq"]: m for m in page["items"]}

    def apply(self, e: dict[str, Any]) -> None:
        PROTOCOL.events.validate_python(e)  # every event matches the documented union
        kind = e["type"]
        if kind == "conversation.updated":
            conv = e["conversation"]
            self.convs[conv["id"]] = conv
            self.msgs.setdefault(conv["id"], {})
        elif kind == "conversation.removed":
            self.convs.pop(e["conversation_id"], None)
            self.msgs.pop(e["conversation_id"], None)
        elif kind == "message.new":
            cid, m = e["conversation_id"], e["message"]
            conv = self.convs.get(cid)
            if conv is None:
                return
            self.msgs[cid][m["seq"]] = m
            conv["last_seq"] = max(conv["last_seq"], m["seq"])
            conv["last_message"] = m
            if m["sender"] and m["sender"]["id"] == self.me:
                conv["last_read_seq"] = max(conv["last_read_seq"], m["seq"])
            if self.me in m["mentions"]:
                conv["mention_seq"] = m["seq"]
            if "all" in m["mentions"]:
                conv["mention_all_seq"] = m["seq"]
            read_past_mentions(conv)
            conv["unread"] = conv["last_seq"] - conv["last_read_seq"]
        elif kind == "message.recalled":
            m = self.msgs.get(e["conversation_id"], {}).get(e["seq"])
            if m is not None:
                m.update(recalled=True, body=None, file=None, mentions=[])
        elif kind == "message.deleted":
            self.msgs.get(e["conversation_id"], {}).pop(e["seq"], None)
        elif kind == "read" and e["person_id"] == self.me:
            conv = self.convs.get(e["conversation_id"])
            if conv is not None:
                conv["last_read_seq"] = max(conv["last_read_seq"], e["last_read_seq"])
                conv["unread"] = conv["last_seq"] - conv["last_read_seq"]
                read_past_mentions(conv)
        elif kind == "members.changed":
            conv = self.convs.get(e["conversation_id"])
            if conv is not None:
                conv["member_count"] = e["member_count"]

    def summary(self) -> tuple[Any, Any]:
        convs = {cid: tuple(c[k] for k in KEYS) for cid, c in self.convs.items()}
        msgs = {
            cid: [(s, m["body"], m["recalled"], m["kind"]) for s, m in sorted(ms.items())]
            for cid, ms in self.msgs.items()
        }
        return convs, msgs


async def drain(sock: Socket, state: ClientState) -> None:
    while True:
        try:
            frame = await sock.next(wait=0.5)
        except TimeoutError:
            return
        state.apply(frame)


async def test_events_turn_old_state_into_new_state(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p1_other_device = await world.login(school["p1"])
    direct = (
        await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    ).json()["id"]
    await send(t, direct, "before the client connected")
    state = ClientState(school["p1"].id)
    async with connect(live, p1) as sock:
        await state.load(p1)
        # A burst of everything that can happen to p1's view.
        g = (
            await t.post(
                "/api/v1/conversations/groups",
                json={"name": "家委会", "member_ids": [school["p1"].id]},
            )
        ).json()["id"]
        m1 = await send(t, g, "第一次会议")
        await send(t, direct, "单独说一下")
        await p1_other_device.post(f"/api/v1/conversations/{direct}/read", json={"seq": 99})
        await t.patch(f"/api/v1/conversations/{g}", json={"name": "家委会（新）"})
        await t.post(f"/api/v1/conversations/{g}/members", json={"person_ids": [school["p2"].id]})
        await t.post(f"/api/v1/conversations/{g}/messages/{m1['seq']}/recall")
        await send(p1_other_device, g, "收到")
        await t.delete(f"/api/v1/conversations/{g}/members/{school['p2'].id}")
        unit = (await t.get(f"/api/v1/units/{school['klass'].id}/group")).json()["id"]
        await send(t, unit, "班级通知", mentions=["all"])
        # Mentions mark p1's list, reading and recalls take the markers away again, and what
        # p1 pins or mutes on another device arrives here.
        first = await send(t, g, "@家长1 请看", mentions=[school["p1"].id])
        await send(t, g, "@家长1 @所有人", mentions=[school["p1"].id, "all"])
        later = await send(t, g, "@家长1 最后", mentions=[school["p1"].id])
        await t.post(f"/api/v1/conversations/{g}/messages/{later['seq']}/recall")
        await send(t, direct, "@你", mentions=[school["p1"].id])
        await p1_other_device.post(f"/api/v1/conversations/{direct}/read", json={"seq": 99})
        await p1_other_device.put(f"/api/v1/conversations/{g}/pin", json={"pinned": True})
        await p1_other_device.put(f"/api/v1/conversations/{unit}/mute", json={"muted": True})
        await p1_other_device.put(f"/api/v1/conversations/{direct}/pin", json={"pinned": True})
        await p1_other_device.put(f"/api/v1/conversations/{direct}/pin", json={"pinned": False})
        assert first["seq"] > 0
        doomed = (
            await t.post(
                "/api/v1/conversations/groups",
                json={"name": "临时", "member_ids": [school["p1"].id]},
            )
        ).json()
        await t.post(f"/api/v1/conversations/{doomed['id']}/dissolve")
        r = await t.post(
            f"/api/v1/conversations/{direct}/messages",
            json={"client_msg_id": cmid(), "body": "最后一条"},
        )
        assert r.status_code == 201
        await drain(sock, state)
    fresh = ClientState(school["p1"].id)
    await fresh.load(p1)
    assert state.summary() == fresh.summary()
    assert unit in state.convs  # the unit group was announced when it was first opened
    # The burst left markers and settings to compare, not only empty ones.
    assert state.convs[g]["mention_seq"] == first["seq"] + 1
    assert state.convs[g]["mention_all_seq"] == first["seq"] + 1
    assert state.convs[unit]["mention_all_seq"] is not None
    assert state.convs[direct]["mention_seq"] is None  # read on the other device
    assert state.convs[g]["pinned"] and state.convs[unit]["muted"]


async def test_group_change_tells_each_member_their_own_view(
    world: World, school: dict[str, Any], live: str
) -> None:
    """A group's conversation.updated is built once for all members (a rename of a large group
    must not build thousands of views): each member still gets exactly what a fresh fetch of
    the conversation returns for them: their role, their unread count and, for the sender of
    the last message, its client_msg_id."""
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    people = [school[k].id for k in ("p1", "p2", "p3")]
    g = (
        await t.post("/api/v1/conversations/groups", json={"name": "家委会", "member_ids": people})
    ).json()["id"]
    r = await t.put(
        f"/api/v1/conversations/{g}/members/{school['p1'].id}/role", json={"role": "admin"}
    )
    assert r.status_code == 204, r.text
    clients = {"teacher": t, "p1": p1, "p2": p2}

    async def views_after(change: dict[str, Any]) -> dict[str, Any]:
        async with connect(live, t) as st, connect(live, p1) as s1, connect(live, p2) as s2:
            r = await t.patch(f"/api/v1/conversations/{g}", json=change)
            assert r.status_code == 200, r.text
            views = {}
            for who, sock in (("teacher", st), ("p1", s1), ("p2", s2)):
                got = (await sock.next("conversation.updated"))["conversation"]
                assert got == (await clients[who].get(f"/api/v1/conversations/{g}")).json(), who
                views[who] = got
            return views

    # A rename: the last message is the teacher's system message.
    await send(t, g, "请大家确认")
    views = await views_after({"name": "家委会（新）"})
    assert {w: v["name"] for w, v in views.items()} == dict.fromkeys(clients, "家委会（新）")
    assert {w: v["my_role"] for w, v in views.items()} == {
        "teacher": "owner",
        "p1": "admin",
        "p2": "member",
    }
    assert {w: v["unread"] for w, v in views.items()} == {"teacher": 0, "p1": 3, "p2": 3}

    # The avatar removed: no system message, so the last message is p2's own.
    mine = await send(p2, g, "收到")
    await p1.post(f"/api/v1/conversations/{g}/read", json={"seq": mine["seq"]})
    views = await views_after({"avatar_file_id": None})
    assert {w: v["unread"] for w, v in views.items()} == {"teacher": 1, "p1": 0, "p2": 0}
    own = views["p2"]["last_message"]
    assert own["body"] == "收到"
    assert own["client_msg_id"] == mine["client_msg_id"]  # only its sender sees it
    assert views["teacher"]["last_message"]["client_msg_id"] is None
