"""Forwarding (转发): one by one and merged into a chat-history card; forwarded files share
their bytes and stay readable for the targets' members (and nobody else); what is refused, and
that a refusal writes nothing."""

from __future__ import annotations

import io
import re
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import event, func, select

from bellwork.chat.models import Message, StoredFile
from tests.chat.conftest import cmid, connect, send
from tests.conftest import World
from tests.stored import stored, stored_keys

EN = {"accept-language": "en"}


def png(w: int = 64, h: int = 48) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (30, 120, 200)).save(buf, "PNG")
    return buf.getvalue()


async def upload(
    c: httpx.AsyncClient, conv: int, name: str, data: bytes, kind: str
) -> dict[str, Any]:
    ctype = "image/png" if kind == "image" else "application/pdf"
    f = await c.post(f"/api/v1/conversations/{conv}/files", files={"file": (name, data, ctype)})
    assert f.status_code == 201, f.text
    r = await c.post(
        f"/api/v1/conversations/{conv}/messages",
        json={"client_msg_id": cmid(), "kind": kind, "file_id": f.json()["id"]},
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def forward(
    c: httpx.AsyncClient, conv: int, seqs: list[int], targets: list[int], **extra: Any
) -> httpx.Response:
    body = {"client_msg_id": cmid(), "conversation_id": conv, "seqs": seqs, "targets": targets}
    return await c.post("/api/v1/forward", json={**body, **extra}, headers=EN)


async def direct(c: httpx.AsyncClient, person: Any) -> int:
    r = await c.post("/api/v1/conversations/direct", json={"person_id": person.id})
    return int(r.json()["id"])


async def group(c: httpx.AsyncClient, name: str, members: list[Any]) -> int:
    r = await c.post(
        "/api/v1/conversations/groups", json={"name": name, "member_ids": [m.id for m in members]}
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def messages(c: httpx.AsyncClient, conv: int) -> list[dict[str, Any]]:
    r = await c.get(f"/api/v1/conversations/{conv}/messages")
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


async def test_forward_one_by_one_to_several_targets(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    source = await direct(t, school["p1"])
    a = await send(p1, source, "老师，明天几点到校？")
    b = await send(t, source, "7:50")
    to_p2 = await direct(t, school["p2"])
    staff = await group(t, "教研组", [school["p3"]])
    async with connect(live, p2) as ws:
        r = await forward(t, source, [b["seq"], a["seq"]], [to_p2, staff], note="请知悉")
        assert r.status_code == 201, r.text
        new = await ws.next("message.new")
        assert new["conversation_id"] == to_p2
        assert new["message"]["body"] == "老师，明天几点到校？"
        assert new["message"]["sender"]["id"] == school["teacher"].id
    out = r.json()["messages"]
    # Oldest first, then the note, target by target.
    assert [(m["conversation_id"], m["body"]) for m in out] == [
        (to_p2, "老师，明天几点到校？"),
        (to_p2, "7:50"),
        (to_p2, "请知悉"),
        (staff, "老师，明天几点到校？"),
        (staff, "7:50"),
        (staff, "请知悉"),
    ]
    assert [m["body"] for m in await messages(p2, to_p2)] == [
        "老师，明天几点到校？",
        "7:50",
        "请知悉",
    ]
    listed = {c["id"]: c for c in (await p2.get("/api/v1/conversations")).json()["items"]}
    assert listed[to_p2]["unread"] == 3
    # A retry returns the first forward's messages; nothing is posted twice.
    body = {
        "client_msg_id": "fwd-1",
        "conversation_id": source,
        "seqs": [a["seq"]],
        "targets": [to_p2],
    }
    first = await t.post("/api/v1/forward", json=body)
    again = await t.post("/api/v1/forward", json=body)
    assert first.status_code == 201 and again.status_code == 200
    assert [m["seq"] for m in again.json()["messages"]] == [
        m["seq"] for m in first.json()["messages"]
    ]
    assert first.json()["messages"][0]["client_msg_id"] == f"fwd-1/{to_p2}/0"
    assert len(await messages(p2, to_p2)) == 4


@pytest.mark.parametrize("files_backend", ["local", "s3"])
async def test_forwarded_file_shares_its_bytes_and_outlives_the_original(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    source = await direct(t, school["p1"])
    img = await upload(t, source, "课表.png", png(), "image")
    row = await world.db.get(StoredFile, img["file"]["id"])
    assert row is not None
    key = row.storage_key
    before = await stored_keys(world.app)
    assert {key, f"{key}.thumb"} <= before
    target = await direct(t, school["p2"])
    r = await forward(t, source, [img["seq"]], [target])
    assert r.status_code == 201, r.text
    copy = r.json()["messages"][0]
    assert copy["kind"] == "image" and copy["file"]["name"] == "课表.png"
    assert copy["file"]["id"] != img["file"]["id"] and copy["file"]["has_thumbnail"]
    assert await stored_keys(world.app) == before  # no bytes copied
    got = await p2.get(f"/api/v1/files/{copy['file']['id']}")
    assert got.status_code == 200 and got.content == png()
    assert (await p2.get(f"/api/v1/files/{copy['file']['id']}/thumbnail")).status_code == 200
    # The copy is the target's: not the source's members', nor the original anyone else's.
    assert (await p1.get(f"/api/v1/files/{copy['file']['id']}")).status_code == 404
    assert (await p2.get(f"/api/v1/files/{img['file']['id']}")).status_code == 404
    # Recalling the original leaves the copy whole.
    r = await t.post(f"/api/v1/conversations/{source}/messages/{img['seq']}/recall")
    assert r.status_code == 204
    assert (await p1.get(f"/api/v1/files/{img['file']['id']}")).status_code == 404
    got = await p2.get(f"/api/v1/files/{copy['file']['id']}")
    assert got.status_code == 200 and got.content == png()
    assert await stored_keys(world.app) == before
    # Recalling the last copy deletes the bytes.
    r = await t.post(f"/api/v1/conversations/{target}/messages/{copy['seq']}/recall")
    assert r.status_code == 204
    assert (await p2.get(f"/api/v1/files/{copy['file']['id']}")).status_code == 404
    assert await stored_keys(world.app) == before - {key, f"{key}.thumb"}


async def test_recalling_a_copy_keeps_the_original(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    source = await direct(t, school["p1"])
    doc = await upload(t, source, "通知.pdf", b"%PDF-1.7 notice", "file")
    target = await direct(t, school["p2"])
    copy = (await forward(t, source, [doc["seq"]], [target])).json()["messages"][0]
    r = await t.post(f"/api/v1/conversations/{target}/messages/{copy['seq']}/recall")
    assert r.status_code == 204
    got = await p1.get(f"/api/v1/files/{doc['file']['id']}")
    assert got.status_code == 200 and got.content == b"%PDF-1.7 notice"
    row = await world.db.get(StoredFile, doc["file"]["id"])
    assert row is not None and await stored(world.app, row.storage_key) == b"%PDF-1.7 notice"


@pytest.mark.parametrize("files_backend", ["local", "s3"])
async def test_merged_forward_is_one_card_with_its_files(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p3 = await world.login(school["p3"])
    source = await direct(t, school["p1"])
    a = await send(p1, source, "作业发我一下")
    img = await upload(t, source, "作业.png", png(), "image")
    doc = await upload(t, source, "答案.pdf", b"%PDF-1.7 answers", "file")
    staff = await group(t, "教研组", [school["p2"]])
    async with connect(live, await world.login(school["p2"])) as ws:
        r = await forward(t, source, [a["seq"], img["seq"], doc["seq"]], [staff], merged=True)
        assert r.status_code == 201, r.text
        new = await ws.next("message.new")
    [card] = r.json()["messages"]
    assert card["kind"] == "history" and card["body"] is None
    assert new["message"]["card"] == card["card"]
    assert card["card"]["source"] == {
        "kind": "people",
        "name": None,
        "people": [
            {"id": school["teacher"].id, "name": "王老师", "parent_of": None},
            {
                "id": school["p1"].id,
                "name": "家长1",
                "parent_of": {
                    "student_id": school["s1"].id,
                    "student_name": "学生1",
                    "relation": "母亲",
                },
            },
        ],
    }
    assert card["card"]["count"] == 3
    assert [i["kind"] for i in card["card"]["preview"]] == ["text", "image", "file"]
    # All of it, for a member of the target.
    p2 = await world.login(school["p2"])
    r = await p2.get(f"/api/v1/conversations/{staff}/messages/{card['seq']}/history")
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [(i["sender"]["id"], i["kind"], i["text"]) for i in items] == [
        (school["p1"].id, "text", "作业发我一下"),
        (school["teacher"].id, "image", None),
        (school["teacher"].id, "file", None),
    ]
    image, pdf = items[1]["file"], items[2]["file"]
    assert image["name"] == "作业.png" and image["id"] != img["file"]["id"]
    got = await p2.get(f"/api/v1/files/{image['id']}")
    assert got.status_code == 200 and got.content == png()
    assert (await p2.get(f"/api/v1/files/{pdf['id']}")).content == b"%PDF-1.7 answers"
    # Nobody else: neither the card nor its files.
    assert (await p3.get(f"/api/v1/files/{image['id']}")).status_code == 404
    assert (await p1.get(f"/api/v1/files/{pdf['id']}")).status_code == 404
    r = await p3.get(f"/api/v1/conversations/{staff}/messages/{card['seq']}/history")
    assert r.status_code == 404
    # A file of a card cannot be sent again as a message of its own.
    r = await t.post(
        f"/api/v1/conversations/{staff}/messages",
        json={"client_msg_id": cmid(), "kind": "image", "file_id": image["id"]},
    )
    assert r.status_code == 409 and r.json()["code"] == "file_already_sent"
    # Recalling the card deletes its copies, and the originals stay.
    before = await stored_keys(world.app)
    r = await t.post(f"/api/v1/conversations/{staff}/messages/{card['seq']}/recall")
    assert r.status_code == 204
    assert (await p2.get(f"/api/v1/files/{image['id']}")).status_code == 404
    r = await p2.get(f"/api/v1/conversations/{staff}/messages/{card['seq']}/history")
    assert r.status_code == 404
    assert (await p1.get(f"/api/v1/files/{img['file']['id']}")).content == png()
    assert await stored_keys(world.app) == before
    left = await world.db.scalar(
        select(func.count()).select_from(StoredFile).where(StoredFile.conversation_id == staff)
    )
    assert left == 0


async def test_group_card_title_and_cards_forwarded_again(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    p2 = await world.login(school["p2"])
    klass = await group(t, "一年级家长群", [school["p1"]])
    a = await send(t, klass, "周五开家长会")
    img = await upload(t, klass, "座位表.png", png(), "image")
    mine = await direct(t, school["p2"])
    r = await forward(t, klass, [a["seq"], img["seq"]], [mine], merged=True)
    card = r.json()["messages"][0]
    assert card["card"]["source"] == {"kind": "group", "name": "一年级家长群", "people": []}
    # The card forwarded on one by one: a card again, with copies of its files.
    devices = (await t.post("/api/v1/conversations/devices")).json()["id"]
    r = await forward(t, mine, [card["seq"]], [devices])
    assert r.status_code == 201, r.text
    again = r.json()["messages"][0]
    assert again["kind"] == "history" and again["card"]["source"] == card["card"]["source"]
    h = (await t.get(f"/api/v1/conversations/{devices}/messages/{again['seq']}/history")).json()
    first = (await p2.get(f"/api/v1/conversations/{mine}/messages/{card['seq']}/history")).json()
    assert h["items"][1]["file"]["id"] not in (img["file"]["id"], first["items"][1]["file"]["id"])
    assert (await t.get(f"/api/v1/files/{h['items'][1]['file']['id']}")).content == png()
    # Merged into another card: kept as its title.
    r = await forward(t, mine, [card["seq"]], [devices], merged=True)
    nested = r.json()["messages"][0]["card"]["preview"][0]
    assert nested["kind"] == "history" and nested["source"]["name"] == "一年级家长群"
    assert nested["file"] is None


async def test_refusals_write_nothing(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    source = await group(t, "家委会", [school["p1"]])  # seq 1: the group's creation notice
    ok = await send(p1, source, "好的")
    gone = await send(t, source, "发错了")
    await t.post(f"/api/v1/conversations/{source}/messages/{gone['seq']}/recall")
    secret = (
        await t.post(
            "/api/v1/conversations/direct", json={"person_id": school["p1"].id, "private": True}
        )
    ).json()["id"]
    burn = await send(t, secret, "阅后即焚")
    target = await direct(t, school["p2"])
    other = await direct(await world.login(school["s1"]), school["s2"])  # not the teacher's
    cases = [
        ((secret, [burn["seq"]], [target]), 403, "forward_private"),
        ((source, [ok["seq"]], [secret]), 403, "forward_to_private"),
        ((source, [gone["seq"]], [target]), 422, "forward_recalled"),
        ((source, [1], [target]), 422, "forward_system"),
        ((source, [ok["seq"], 99], [target]), 404, "forward_message_missing"),
        ((source, [ok["seq"]], [target, other]), 404, "forward_target_unknown"),
        ((source, list(range(1, 102)), [target]), 422, "forward_too_many"),
        ((source, [ok["seq"]], list(range(1, 11))), 422, "forward_too_many_targets"),
        ((other, [1], [target]), 404, "not_found"),
    ]
    rows = await world.db.scalar(select(func.count()).select_from(Message))
    files = await world.db.scalar(select(func.count()).select_from(StoredFile))
    for (conv, seqs, targets), status, code in cases:
        r = await forward(t, conv, seqs, targets)
        assert (r.status_code, r.json()["code"]) == (status, code), r.text
    r = await forward(t, source, [ok["seq"]], [target, other])
    assert r.json()["title"] == "You can forward only to conversations you are a member of."
    assert r.json()["errors"] == [{"field": "targets", "id": other}]
    r = await t.post(
        "/api/v1/forward",
        json={
            "client_msg_id": cmid(),
            "conversation_id": source,
            "seqs": [gone["seq"]],
            "targets": [target],
        },
        headers={"accept-language": "zh-CN"},
    )
    assert r.json()["title"] == "已撤回的消息不能转发。"
    assert r.json()["errors"] == [{"field": "seqs", "seq": gone["seq"]}]
    r = await forward(t, source, list(range(1, 102)), [target])
    assert r.json()["title"] == "At most 100 messages can be forwarded at once."
    for bad in ({"seqs": []}, {"targets": []}, {"client_msg_id": "a/b"}):
        body = {
            "client_msg_id": cmid(),
            "conversation_id": source,
            "seqs": [ok["seq"]],
            "targets": [target],
        }
        r = await t.post("/api/v1/forward", json={**body, **bad})
        assert r.status_code == 422 and r.json()["code"] == "validation_failed"
    # Messages said before one joined are not one's to forward.
    r = await t.post(
        f"/api/v1/conversations/{source}/members", json={"person_ids": [school["p2"].id]}
    )
    p2 = await world.login(school["p2"])
    r = await forward(p2, source, [ok["seq"]], [target])
    assert r.json()["code"] == "forward_message_missing"
    assert await world.db.scalar(select(func.count()).select_from(Message)) == rows + 1  # the join
    assert await world.db.scalar(select(func.count()).select_from(StoredFile)) == files
    assert (await t.get(f"/api/v1/conversations/{target}")).json()["last_seq"] == 0


async def test_forwarding_to_a_big_group_costs_what_sending_does(
    world: World, school: dict[str, Any]
) -> None:
    """A merged forward (or a forwarded message) into a group takes as many statements
    whatever its size: one message, no row or event per member."""
    t = await world.login(school["teacher"])
    source = await direct(t, school["p1"])
    a = await send(t, source, "通知")
    img = await upload(t, source, "a.png", png(), "image")
    small = await group(t, "小群", [school["p1"]])
    klass = school["klass"]
    crowd = [await world.person(f"成员{i}", (klass, "student")) for i in range(60)]
    await world.commit()
    big = await group(t, "大群", crowd)
    engine = world.db.bind.sync_engine  # type: ignore[union-attr]

    async def statements(target: int, merged: bool) -> int:
        seen: list[str] = []

        def count(_c: Any, _cur: Any, sql: str, *_a: Any) -> None:
            # Not the app's own job runner polling the queue meanwhile (a busy host).
            if not re.search(r"\b(FROM|UPDATE) job\b|\bjob_schedule\b", sql):
                seen.append(sql)

        event.listen(engine, "before_cursor_execute", count)
        try:
            r = await forward(t, source, [a["seq"], img["seq"]], [target], merged=merged)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert r.status_code == 201, r.text
        return len(seen)

    for merged in (True, False):
        assert await statements(small, merged) == await statements(big, merged)
