"""The @-picker's member search (the directory's keys: pinyin, initials, ranks; no phones) and
history search by a file's name, in ordinary and private chats."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.chat.conftest import cmid, send
from tests.conftest import World


async def group(world: World, school: dict[str, Any]) -> tuple[httpx.AsyncClient, int, dict]:  # type: ignore[type-arg]
    k = school["klass"]
    people = {
        name: await world.person(name, (k, "student"), username=f"u{i}", phone=f"1390000000{i}")
        for i, name in enumerate(("张三", "董三", "赵思", "王五"))
    }
    t = await world.login(school["teacher"])
    ids = [p.id for p in people.values()]
    r = await t.post("/api/v1/conversations/groups", json={"name": "课外组", "member_ids": ids})
    assert r.status_code == 201, r.text
    return t, r.json()["id"], people


async def picked(c: httpx.AsyncClient, conv: int, q: str, **extra: Any) -> list[str]:
    r = await c.get(f"/api/v1/conversations/{conv}/members", params={"q": q, **extra})
    assert r.status_code == 200, r.text
    return [m["person"]["name"] for m in r.json()]


async def test_member_search_by_initials_full_pinyin_and_name(
    world: World, school: dict[str, Any]
) -> None:
    t, conv, people = await group(world, school)
    # Initials: the common readings first, in pinyin order (zhangsan, zhaosi), then 董三 by
    # the rare reading zhong of 董.
    assert await picked(t, conv, "zs") == ["张三", "赵思", "董三"]
    assert await picked(t, conv, "ZS") == ["张三", "赵思", "董三"]
    assert await picked(t, conv, "zhangs") == ["张三"]
    assert await picked(t, conv, "san") == ["董三", "张三"]  # the given name's pinyin
    assert await picked(t, conv, "三") == ["董三", "张三"]
    assert await picked(t, conv, "王") == ["王老师", "王五"]  # the client leaves out oneself
    assert await picked(t, conv, "zs", limit=1) == ["张三"]
    # Phones, usernames and the like find nobody here: members learn no one's number.
    assert await picked(t, conv, "13900") == []
    assert await picked(t, conv, "u1") == []
    # Without q: everyone, as before.
    everyone = (await t.get(f"/api/v1/conversations/{conv}/members")).json()
    assert len(everyone) == 5
    # Who has left is not offered.
    r = await t.delete(f"/api/v1/conversations/{conv}/members/{people['张三'].id}")
    assert r.status_code == 204
    assert await picked(t, conv, "zs") == ["赵思", "董三"]
    # Not a member: 404, like a conversation that does not exist.
    outsider = await world.login(school["p1"])
    r = await outsider.get(f"/api/v1/conversations/{conv}/members", params={"q": "zs"})
    assert r.status_code == 404
    r = await t.get(f"/api/v1/conversations/{conv}/members", params={"q": "x" * 101})
    assert r.status_code == 422


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 120, 30)).save(buf, "PNG")
    return buf.getvalue()


async def upload_and_send(
    c: httpx.AsyncClient, conv: int, name: str, data: bytes, kind: str
) -> int:
    ct = "image/png" if kind == "image" else "text/plain"
    r = await c.post(f"/api/v1/conversations/{conv}/files", files={"file": (name, data, ct)})
    assert r.status_code == 201, r.text
    r = await c.post(
        f"/api/v1/conversations/{conv}/messages",
        json={"client_msg_id": cmid(), "kind": kind, "file_id": r.json()["id"]},
    )
    assert r.status_code == 201, r.text
    return int(r.json()["seq"])


@pytest.mark.parametrize("private", [False, True])
async def test_history_search_finds_file_names(
    world: World, school: dict[str, Any], private: bool
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    body: dict[str, Any] = {"person_id": school["p1"].id}
    if private:
        body |= {"private": True, "burn_seconds": 300}
    conv = (await t.post("/api/v1/conversations/direct", json=body)).json()["id"]
    said = (await send(t, conv, "期中成绩已出"))["seq"]
    sheet = await upload_and_send(t, conv, "三年级成绩单.txt", b"name,score\n", "file")
    photo = await upload_and_send(t, conv, "Sports-Day.png", png(), "image")
    await send(t, conv, "别的消息")
    for viewer in (t, p1):
        if private and viewer is p1:
            # The recipient finds only what they have opened.
            for seq in (said, sheet, photo):
                r = await p1.post(f"/api/v1/conversations/{conv}/messages/{seq}/open")
                assert r.status_code == 200, r.text
        url = f"/api/v1/conversations/{conv}/messages"
        found = (await viewer.get(url, params={"q": "成绩"})).json()["items"]
        assert [m["seq"] for m in found] == [said, sheet]
        assert found[1]["file"]["name"] == "三年级成绩单.txt"
        hits = (await viewer.get(url, params={"q": "sports-day"})).json()["items"]
        assert [m["seq"] for m in hits] == [photo]
        assert (await viewer.get(url, params={"q": "%"})).json()["items"] == []
