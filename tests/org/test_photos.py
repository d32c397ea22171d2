"""People's photos (头像): one's own, set for someone by their admin or head (audited), seen by
whoever may see the person, refused types and sizes, removal (org/photos.py)."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image

from tests.conftest import World


def picture(fmt: str = "PNG", size: tuple[int, int] = (800, 600), mode: str = "RGB") -> bytes:
    """A real picture: left half red, right half blue (to see which part was kept)."""
    img = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 255))
    img.paste((30, 30, 200) if mode == "RGB" else (30, 30, 200, 255), (size[0] // 2, 0, *size))
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}


async def upload(
    c: httpx.AsyncClient, person_id: int, data: bytes, ctype: str = "image/png", **kw: Any
) -> httpx.Response:
    return await c.put(
        f"/api/v1/people/{person_id}/photo", files={"file": ("me.png", data, ctype)}, **kw
    )


async def org(world: World) -> dict[str, Any]:
    school = await world.unit("实验小学", "school")
    klass = await world.unit("1班", "class", school)
    other = await world.unit("2班", "class", school)
    return {
        "school": school,
        "admin": await world.person("管理员", username="admin", is_admin=True),
        "head": await world.person("李校长", (school, "head"), username="head"),
        "teacher": await world.person("王老师", (klass, "teacher"), username="teacher"),
        "student": await world.person("张小明", (klass, "student"), username="student"),
        "mate": await world.person("刘小红", (klass, "student"), username="mate"),
        "stranger": await world.person("陈路人", (other, "student"), username="stranger"),
    }


async def test_set_own_photo_shows_everywhere_with_a_versioned_cached_url(world: World) -> None:
    o = await org(world)
    me = o["student"]
    c = await world.login(me)
    r = await upload(c, me.id, picture("PNG", (800, 600)))
    assert r.status_code == 200, r.text
    url = r.json()["photo_url"]
    assert url.startswith(f"/api/v1/people/{me.id}/photo/")
    got = await c.get(url)
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/jpeg"
    assert "immutable" in got.headers["cache-control"]
    assert got.headers["x-content-type-options"] == "nosniff"
    with Image.open(io.BytesIO(got.content)) as img:
        assert img.size == (512, 512)  # the middle square, made at most 512 a side
        left, right = img.getpixel((5, 256)), img.getpixel((506, 256))
        assert left[0] > 150 and right[2] > 150  # red half on the left, blue on the right
    thumb = await c.get(url + "/thumbnail")
    with Image.open(io.BytesIO(thumb.content)) as img:
        assert img.size == (128, 128)
    assert (await c.get("/api/v1/auth/me")).json()["photo_url"] == url
    assert (await c.get(f"/api/v1/people/{me.id}")).json()["photo_url"] == url
    # A classmate sees it in the directory and on the card; one's own change is not audited.
    mate = await world.login(o["mate"])
    listed = (await mate.get("/api/v1/people", params={"q": "张小明"})).json()["items"]
    assert listed[0]["photo_url"] == url
    assert (await mate.get(url)).status_code == 200
    admin = await world.login(o["admin"])
    log = (await admin.get("/api/v1/audit")).json()["items"]
    assert not any(e["action"].startswith("person.photo") for e in log)

    # Replaced: a new URL at once, the old one gone.
    r = await upload(c, me.id, picture("JPEG", (300, 300)), "image/jpeg")
    new = r.json()["photo_url"]
    assert new != url
    assert (await c.get(url)).status_code == 404
    with Image.open(io.BytesIO((await c.get(new)).content)) as img:
        assert img.size == (300, 300)  # never enlarged
    # WebP, and a transparent PNG (flattened on white), are taken too.
    assert (await upload(c, me.id, picture("WEBP"), "image/webp")).status_code == 200
    clear = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    buf = io.BytesIO()
    clear.save(buf, "PNG")
    r = await upload(c, me.id, buf.getvalue())
    assert r.status_code == 200
    with Image.open(io.BytesIO((await c.get(r.json()["photo_url"])).content)) as img:
        assert img.getpixel((32, 32)) == (255, 255, 255)  # see-through shows white, not black


async def test_admin_and_head_set_anothers_photo_audited_others_may_not(world: World) -> None:
    o = await org(world)
    student = o["student"]
    admin = await world.login(o["admin"])
    r = await upload(admin, student.id, picture())
    assert r.status_code == 200, r.text
    head = await world.login(o["head"])
    r = await upload(head, student.id, picture("JPEG"), "image/jpeg")
    assert r.status_code == 200, r.text
    url = r.json()["photo_url"]
    log = (await admin.get("/api/v1/audit")).json()["items"]
    entries = [(e["action"], e["actor"]["name"]) for e in log if e["target_id"] == student.id]
    assert entries[:2] == [("person.photo_set", "李校长"), ("person.photo_set", "管理员")]
    assert log[0]["before"] == {"photo": True} and log[0]["after"] == {"photo": True}
    # A teacher sees the student but does not manage them; a classmate neither.
    teacher = await world.login(o["teacher"])
    r = await upload(teacher, student.id, picture(), headers={"accept-language": "zh-CN"})
    assert r.status_code == 403 and r.json()["code"] == "cannot_manage_person"
    assert (await teacher.get(url)).status_code == 200
    mate = await world.login(o["mate"])
    assert (await upload(mate, student.id, picture())).status_code == 403
    assert (await mate.delete(f"/api/v1/people/{student.id}/photo")).status_code == 403
    # The head removes it: audited, the initial shows again.
    r = await head.delete(f"/api/v1/people/{student.id}/photo")
    assert r.status_code == 204
    assert (await head.get(f"/api/v1/people/{student.id}")).json()["photo_url"] is None
    assert (await head.get(url)).status_code == 404
    log = (await admin.get("/api/v1/audit")).json()["items"]
    assert log[0]["action"] == "person.photo_remove" and log[0]["after"] == {"photo": False}
    # Removing what is not there is no error.
    assert (await head.delete(f"/api/v1/people/{student.id}/photo")).status_code == 204


async def test_a_person_one_may_not_see_is_404_photo_and_all(world: World) -> None:
    o = await org(world)
    student = o["student"]
    c = await world.login(student)
    url = (await upload(c, student.id, picture())).json()["photo_url"]
    stranger = await world.login(o["stranger"])  # a student of another class
    assert (await stranger.get(url)).status_code == 404
    assert (await stranger.get(url + "/thumbnail")).status_code == 404
    r = await upload(stranger, student.id, picture())
    assert r.status_code == 404
    assert (await stranger.delete(f"/api/v1/people/{student.id}/photo")).status_code == 404
    # A made-up version, and someone without a photo, are 404 alike.
    assert (await c.get(f"/api/v1/people/{student.id}/photo/0123456789abcdef")).status_code == 404
    assert (await c.get(f"/api/v1/people/{o['mate'].id}/photo/{url[-16:]}")).status_code == 404
    assert (await c.get(f"/api/v1/people/{student.id}/photo/NOT-HEX")).status_code == 422


async def test_refused_types_and_sizes_say_why_in_both_languages(world: World) -> None:
    o = await org(world)
    me = o["student"]
    c = await world.login(me)
    zh = {"accept-language": "zh-CN"}
    r = await upload(c, me.id, picture("GIF"), "image/gif", headers=zh)
    assert r.status_code == 415 and r.json()["code"] == "photo_type_refused"
    assert r.json()["title"] == "头像须为 JPEG、PNG 或 WebP 格式的图片。"
    r = await upload(c, me.id, b"%PDF-1.4\n%...", "application/pdf")
    assert r.status_code == 415 and r.json()["code"] == "photo_type_refused"
    assert r.json()["title"] == "A photo must be a JPEG, PNG or WebP picture."
    r = await upload(c, me.id, b"MZ\x90\x00 a program", "image/png")
    assert r.status_code == 415 and r.json()["code"] == "photo_type_refused"
    r = await upload(c, me.id, "就是一段文字".encode(), "text/plain")
    assert r.status_code == 415 and r.json()["code"] == "photo_type_refused"
    r = await upload(c, me.id, picture("PNG"), "image/jpeg")
    assert r.status_code == 415 and r.json()["code"] == "file_type_mismatch"
    big = picture("PNG", (16, 16)) + b"\x00" * (10 * 1024 * 1024)
    r = await upload(c, me.id, big, headers=zh)
    assert r.status_code == 413 and r.json()["code"] == "file_too_large"
    assert r.json()["title"] == "文件超过 10 MB。"
    r = await upload(c, me.id, b"", "image/png")
    assert r.status_code == 422 and r.json()["code"] == "file_empty"
    assert (await c.get("/api/v1/auth/me")).json()["photo_url"] is None


async def test_chat_shows_the_senders_and_the_other_persons_photo(world: World) -> None:
    o = await org(world)
    student, mate = o["student"], o["mate"]
    c = await world.login(student)
    url = (await upload(c, student.id, picture())).json()["photo_url"]
    m = await world.login(mate)
    conv = (await m.post("/api/v1/conversations/direct", json={"person_id": student.id})).json()
    body = {"client_msg_id": "p-1", "body": "你好"}
    sent = await c.post(f"/api/v1/conversations/{conv['id']}/messages", json=body)
    assert sent.json()["sender"]["photo_url"] == url  # as the message goes out live
    page = (await m.get(f"/api/v1/conversations/{conv['id']}/messages")).json()
    assert page["items"][0]["sender"]["photo_url"] == url
    listed = (await m.get("/api/v1/conversations")).json()["items"]
    assert listed[0]["peer"]["photo_url"] == url
    assert (await m.get(url + "/thumbnail")).status_code == 200
