"""Uploads: images with thumbnails, type checks against the bytes, access, recall deletes.
Every test runs against both files backends: the data folder and an S3 server."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.chat.conftest import cmid
from tests.conftest import World
from tests.stored import stored, stored_keys

pytestmark = pytest.mark.parametrize("files_backend", ["local", "s3"])


def png(w: int = 640, h: int = 480) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


async def test_image_upload_send_download_and_thumbnail(
    world: World, school: dict[str, Any], data_dir: Path
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    conv = (
        await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    ).json()["id"]
    r = await t.post(
        f"/api/v1/conversations/{conv}/files",
        files={"file": ("../../etc/课表.png", png(), "image/png")},
    )
    assert r.status_code == 201, r.text
    f = r.json()
    assert f["name"] == "课表.png" and f["content_type"] == "image/png"
    assert (f["width"], f["height"]) == (640, 480) and f["has_thumbnail"] is True
    r = await t.post(
        f"/api/v1/conversations/{conv}/messages",
        json={"client_msg_id": cmid(), "kind": "image", "file_id": f["id"]},
    )
    assert r.status_code == 201 and r.json()["file"]["id"] == f["id"]
    got = await p1.get(f"/api/v1/files/{f['id']}")
    assert got.status_code == 200 and got.content == png()
    assert got.headers["x-content-type-options"] == "nosniff"
    thumb = await p1.get(f"/api/v1/files/{f['id']}/thumbnail")
    assert Image.open(io.BytesIO(thumb.content)).size == (320, 240)
    # Someone outside the conversation: 404, as if it did not exist.
    p2 = await world.login(school["p2"])
    assert (await p2.get(f"/api/v1/files/{f['id']}")).status_code == 404


async def test_lying_and_refused_types(
    world: World, school: dict[str, Any], data_dir: Path
) -> None:
    t = await world.login(school["teacher"])
    conv = (await t.post("/api/v1/conversations/devices")).json()["id"]
    before = await stored_keys(world.app)
    r = await t.post(
        f"/api/v1/conversations/{conv}/files",
        files={"file": ("photo.png", b"%PDF-1.7 not an image", "image/png")},
        headers={"accept-language": "en"},
    )
    assert r.status_code == 422 and r.json()["code"] == "file_type_mismatch"
    assert "application/pdf" in r.json()["title"]
    r = await t.post(
        f"/api/v1/conversations/{conv}/files",
        files={"file": ("setup.exe", b"MZ\x90\x00" + b"\x00" * 100, "application/octet-stream")},
    )
    assert r.status_code == 422 and r.json()["code"] == "file_type_refused"
    r = await t.post(
        f"/api/v1/conversations/{conv}/files", files={"file": ("empty.txt", b"", "text/plain")}
    )
    assert r.status_code == 422 and r.json()["code"] == "file_empty"
    assert await stored_keys(world.app) == before
    # A real PDF with an honest (or generic) type is fine.
    r = await t.post(
        f"/api/v1/conversations/{conv}/files",
        files={"file": ("a.pdf", b"%PDF-1.7 ...", "application/octet-stream")},
    )
    assert r.status_code == 201 and r.json()["content_type"] == "application/pdf"
    # Sending someone else's or another conversation's file is refused.
    other = (
        await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    ).json()["id"]
    r = await t.post(
        f"/api/v1/conversations/{other}/messages",
        json={"client_msg_id": cmid(), "kind": "file", "file_id": r.json()["id"]},
    )
    assert r.status_code == 404


async def test_recall_deletes_the_file_from_storage(
    world: World, school: dict[str, Any], data_dir: Path
) -> None:
    t = await world.login(school["teacher"])
    conv = (await t.post("/api/v1/conversations/devices")).json()["id"]
    before = await stored_keys(world.app)
    f = (
        await t.post(
            f"/api/v1/conversations/{conv}/files",
            files={"file": ("x.png", png(50, 50), "image/png")},
        )
    ).json()
    assert len(await stored_keys(world.app) - before) == 2  # the file and its thumbnail
    m = (
        await t.post(
            f"/api/v1/conversations/{conv}/messages",
            json={"client_msg_id": cmid(), "kind": "image", "file_id": f["id"]},
        )
    ).json()
    await t.post(f"/api/v1/conversations/{conv}/messages/{m['seq']}/recall")
    assert await stored_keys(world.app) == before
    assert (await t.get(f"/api/v1/files/{f['id']}")).status_code == 404


async def test_enormous_picture_in_a_tiny_file_is_refused(
    world: World, school: dict[str, Any], data_dir: Path
) -> None:
    """30,000 x 30,000 pixels of one colour compress to a few KB: 422, not a crash."""
    t = await world.login(school["teacher"])
    conv = (await t.post("/api/v1/conversations/devices")).json()["id"]
    buf = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(buf, "PNG")
    before = await stored_keys(world.app)
    r = await t.post(
        f"/api/v1/conversations/{conv}/files",
        files={"file": ("bomb.png", buf.getvalue(), "image/png")},
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "image_too_large"
    assert await stored_keys(world.app) == before


async def test_a_file_goes_in_one_message(
    world: World, school: dict[str, Any], data_dir: Path
) -> None:
    """Recalling a message deletes its file, so a second message may not carry the same one."""
    t = await world.login(school["teacher"])
    conv = (await t.post("/api/v1/conversations/devices")).json()["id"]
    f = (
        await t.post(
            f"/api/v1/conversations/{conv}/files", files={"file": ("a.png", png(), "image/png")}
        )
    ).json()
    body = {"kind": "image", "file_id": f["id"]}
    r = await t.post(
        f"/api/v1/conversations/{conv}/messages", json={"client_msg_id": cmid(), **body}
    )
    assert r.status_code == 201, r.text
    again = await t.post(
        f"/api/v1/conversations/{conv}/messages", json={"client_msg_id": cmid(), **body}
    )
    assert again.status_code == 409 and again.json()["code"] == "file_already_sent"


async def test_quoting_needs_a_message_one_may_see(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    g = (
        await t.post(
            "/api/v1/conversations/groups", json={"name": "A", "member_ids": [school["p1"].id]}
        )
    ).json()["id"]
    # seq 1 is the "group created" notice: not a message to quote.
    r = await t.post(
        f"/api/v1/conversations/{g}/messages",
        json={"client_msg_id": cmid(), "body": "re", "reply_to_seq": 1},
    )
    assert r.status_code == 422 and r.json()["code"] == "reply_not_found"
    r = await t.post(
        f"/api/v1/conversations/{g}/messages",
        json={"client_msg_id": cmid(), "body": "re", "reply_to_seq": 999},
    )
    assert r.status_code == 422 and r.json()["code"] == "reply_not_found"


async def test_files_are_where_the_settings_say(
    world: World, school: dict[str, Any], data_dir: Path, files_backend: str
) -> None:
    """In the data folder's files/ by default; with a bucket, in the bucket and not on disk."""
    from bellwork.chat.files import path_of
    from bellwork.chat.models import StoredFile

    t = await world.login(school["teacher"])
    conv = (await t.post("/api/v1/conversations/devices")).json()["id"]
    before = await stored_keys(world.app)
    f = (
        await t.post(
            f"/api/v1/conversations/{conv}/files", files={"file": ("a.png", png(), "image/png")}
        )
    ).json()
    row = await world.db.get(StoredFile, f["id"])
    assert row is not None and row.thumb_key == f"{row.storage_key}.thumb"
    await world.db.commit()
    assert await stored(world.app, row.storage_key) == png()
    assert await stored_keys(world.app) - before == {row.storage_key, row.thumb_key}
    assert path_of(data_dir, row.storage_key).exists() is (files_backend == "local")


async def test_a_video_is_sent_in_ranges(world: World, school: dict[str, Any]) -> None:
    """A browser seeks in a video by asking for byte ranges: 206 with those bytes, from either
    store; a person who may not read the file gets 404 for a range as well."""
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    conv = (
        await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    ).json()["id"]
    video = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 400
    f = (
        await t.post(
            f"/api/v1/conversations/{conv}/files",
            files={"file": ("课.mp4", video, "video/mp4")},
        )
    ).json()
    assert f["content_type"] == "video/mp4"
    await t.post(
        f"/api/v1/conversations/{conv}/messages",
        json={"client_msg_id": cmid(), "kind": "file", "file_id": f["id"]},
    )
    whole = await p1.get(f"/api/v1/files/{f['id']}")
    assert whole.status_code == 200 and whole.content == video
    assert whole.headers["content-disposition"].startswith("attachment; filename*=utf-8''")
    part = await p1.get(f"/api/v1/files/{f['id']}", headers={"range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == video[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(video)}"
    p2 = await world.login(school["p2"])
    r = await p2.get(f"/api/v1/files/{f['id']}", headers={"range": "bytes=0-9"})
    assert r.status_code == 404
