"""A file follows the message that carries it: readable by those who may see that message (its
uploader, and a group's avatar by every member), 404 alike for everyone else. File ids are
sequential, so anyone can try them."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.chat.conftest import cmid
from tests.conftest import World

pytestmark = pytest.mark.parametrize("files_backend", ["local", "s3"])


def png(color: tuple[int, int, int] = (10, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), color).save(buf, "PNG")
    return buf.getvalue()


async def upload(c: httpx.AsyncClient, conv: int, data: bytes) -> dict[str, Any]:
    r = await c.post(f"/api/v1/conversations/{conv}/files", files={"file": ("a.png", data)})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def send_image(c: httpx.AsyncClient, conv: int, file_id: int) -> dict[str, Any]:
    r = await c.post(
        f"/api/v1/conversations/{conv}/messages",
        json={"client_msg_id": cmid(), "kind": "image", "file_id": file_id},
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def refused(c: httpx.AsyncClient, file_id: int) -> None:
    """Both the file and its thumbnail answer exactly as a file that does not exist."""
    missing = (await c.get("/api/v1/files/999999")).json()
    for path in (f"/api/v1/files/{file_id}", f"/api/v1/files/{file_id}/thumbnail"):
        r = await c.get(path)
        assert r.status_code == 404, (path, r.status_code)
        assert r.json() == missing and r.json()["code"] == "not_found"


async def readable(c: httpx.AsyncClient, file_id: int, data: bytes) -> None:
    r = await c.get(f"/api/v1/files/{file_id}")
    assert r.status_code == 200 and r.content == data
    thumb = await c.get(f"/api/v1/files/{file_id}/thumbnail")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"


async def test_a_later_member_cannot_read_files_sent_before_they_joined(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    g = (
        await t.post(
            "/api/v1/conversations/groups", json={"name": "3班", "member_ids": [school["p1"].id]}
        )
    ).json()["id"]
    before = png((1, 2, 3))
    old = await upload(t, g, before)
    await send_image(t, g, old["id"])
    r = await t.post(f"/api/v1/conversations/{g}/members", json={"person_ids": [school["p2"].id]})
    assert r.status_code == 200 and r.json()["added"] == [school["p2"].id]
    # p2 sees neither the message (history starts at their joining) nor its file.
    items = (await p2.get(f"/api/v1/conversations/{g}/messages")).json()["items"]
    assert all(m["file"] is None for m in items)
    await refused(p2, old["id"])
    await readable(p1, old["id"], before)
    # What is sent after they joined is theirs to read.
    after = png((4, 5, 6))
    new = await upload(t, g, after)
    await send_image(t, g, new["id"])
    await readable(p2, new["id"], after)


async def test_an_upload_not_sent_is_only_its_uploaders(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    g = (
        await t.post(
            "/api/v1/conversations/groups", json={"name": "3班", "member_ids": [school["p1"].id]}
        )
    ).json()["id"]
    data = png()
    f = await upload(t, g, data)
    await refused(p1, f["id"])  # a member guessing the next id
    await readable(t, f["id"], data)  # the sender's client may show what it is sending
    await send_image(t, g, f["id"])
    await readable(p1, f["id"], data)


async def test_a_group_avatar_is_for_its_members(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    p2 = await world.login(school["p2"])
    p3 = await world.login(school["p3"])
    g = (
        await t.post(
            "/api/v1/conversations/groups", json={"name": "3班", "member_ids": [school["p1"].id]}
        )
    ).json()["id"]
    data = png((90, 90, 90))
    f = await upload(t, g, data)
    r = await t.patch(f"/api/v1/conversations/{g}", json={"avatar_file_id": f["id"]})
    assert r.status_code == 200, r.text
    await t.post(f"/api/v1/conversations/{g}/members", json={"person_ids": [school["p2"].id]})
    await readable(p2, f["id"], data)  # joined after it was set: still their group's face
    await refused(p3, f["id"])  # not a member
