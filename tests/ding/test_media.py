"""A DING's voice note and attachment (issue 11): uploaded by the sender, sent by id, checked
(one's own, unused, a recording of at most 60 s), readable by the sender and the recipients
only, gone for the recipients once the DING is recalled, and swept when no DING takes them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from bellwork.db.session import unit_of_work
from bellwork.ding.media import delete_loose
from bellwork.ding.models import DingFile, DingMessage
from tests.chat.conftest import connect
from tests.conftest import World
from tests.files.recordings import CHROMIUM_WEBM, webm
from tests.notices.test_notices import png
from tests.stored import stored_keys


async def upload(c: httpx.AsyncClient, name: str, data: bytes, ctype: str) -> dict[str, Any]:
    r = await c.post("/api/v1/dings/files", files={"file": (name, data, ctype)})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def to_guardians(school: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "client_id": uuid.uuid4().hex,
        "body": "明天停课，请听语音并查看附件",
        "units": [{"unit_id": school["klass"].id, "roles": ["guardian"]}],
        **extra,
    }


async def count(world: World, model: Any) -> int:
    async with world.app.state.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_ding_with_a_voice_note_and_an_attachment(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    recording = CHROMIUM_WEBM.read_bytes()
    v = await upload(t, "voice.webm", recording, "audio/webm;codecs=opus")
    assert v["content_type"] == "audio/webm" and v["duration_ms"] == 2400
    image = png(64, 48)
    a = await upload(t, "停课通知.png", image, "image/png")
    assert (a["content_type"], a["width"], a["has_thumbnail"]) == ("image/png", 64, True)
    # Before it is sent, only the sender may read them.
    assert (await t.get(v["url"])).content == recording
    assert (await p1.get(v["url"])).status_code == 404

    async with connect(live, p1) as phone:
        r = await t.post(
            "/api/v1/dings",
            json=to_guardians(
                school, voice_id=v["id"], voice_duration_ms=2600, attachment_id=a["id"]
            ),
        )
        assert r.status_code == 201, r.text
        d = r.json()
        # The recorder said 2.6 s, the recording is 2.4 s: the recording's length is shown.
        assert d["voice"]["id"] == v["id"] and d["voice"]["duration_ms"] == 2400
        assert d["attachment"]["name"] == "停课通知.png"
        alert = (await phone.next("ding.alert"))["ding"]
        assert alert["voice"]["url"] == v["url"] and alert["voice"]["duration_ms"] == 2400
        assert alert["attachment"]["id"] == a["id"]

    # The recipient's card lists them, and they may read both.
    pending = (await p1.get("/api/v1/dings/pending")).json()
    assert [(x["voice"]["id"], x["attachment"]["id"]) for x in pending] == [(v["id"], a["id"])]
    got = await p1.get(v["url"])
    assert got.status_code == 200 and got.content == recording
    assert got.headers["content-type"] == "audio/webm"
    got = await p1.get(a["url"])
    assert got.status_code == 200 and got.content == image
    thumb = await p1.get(a["url"] + "/thumbnail")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    # The sender's views carry them too.
    detail = (await t.get(f"/api/v1/dings/{d['id']}")).json()
    assert (detail["voice"]["id"], detail["attachment"]["id"]) == (v["id"], a["id"])
    listed = (await t.get("/api/v1/dings")).json()["items"][0]
    assert listed["voice"]["duration_ms"] == 2400
    # A confirmed recipient still may; someone not asked (a student, another guardian's
    # child, the admin) may not: 404 as for a file that does not exist.
    confirmed = (await p1.post(f"/api/v1/dings/{d['id']}/confirm")).json()
    assert confirmed["voice"]["id"] == v["id"]
    assert (await p1.get(a["url"])).status_code == 200
    for stranger in ("s1", "admin"):
        c = await world.login(school[stranger])
        assert (await c.get(v["url"])).status_code == 404
        assert (await c.get(a["url"])).status_code == 404
        assert (await c.get(a["url"] + "/thumbnail")).status_code == 404
    assert (await p1.get("/api/v1/dings/files/999999")).status_code == 404

    # Recalled: the recipients no longer get them; the sender still does.
    await t.post(f"/api/v1/dings/{d['id']}/recall")
    p2 = await world.login(school["p2"])
    for who in (p1, p2):
        assert (await who.get(v["url"])).status_code == 404
        assert (await who.get(a["url"])).status_code == 404
    assert (await t.get(v["url"])).status_code == 200

    # An upload is used once: the same voice note in another DING is refused.
    r = await t.post(
        "/api/v1/dings", json=to_guardians(school, voice_id=v["id"], voice_duration_ms=2400)
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "ding_file_unknown"
    assert r.json()["errors"][0]["field"] == "voice_id"


async def test_voice_notes_and_uploads_that_are_refused(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    before = await count(world, DingMessage)

    async def refused(body: dict[str, Any], code: str, field: str) -> None:
        r = await t.post("/api/v1/dings", json=to_guardians(school, **body))
        assert r.status_code == 422, r.text
        problem = r.json()
        assert problem["code"] == code, problem
        assert [e["field"] for e in problem["errors"]] == [field], problem

    # Longer than a minute, whatever the recorder says.
    long = await upload(t, "long.webm", webm(75_000), "audio/webm")
    assert long["duration_ms"] > 70_000  # the container says
    await refused(
        {"voice_id": long["id"], "voice_duration_ms": 75_000},
        "voice_duration_invalid",
        "voice_duration_ms",
    )
    await refused(
        {"voice_id": long["id"], "voice_duration_ms": 60_000},
        "voice_duration_mismatch",
        "voice_duration_ms",
    )
    # No length given; not a recording; a video.
    short = await upload(t, "v.webm", webm(3_000), "audio/webm")
    await refused({"voice_id": short["id"]}, "voice_duration_invalid", "voice_duration_ms")
    text = await upload(t, "a.txt", "通知".encode(), "text/plain")
    await refused(
        {"voice_id": text["id"], "voice_duration_ms": 3_000}, "not_a_voice_recording", "voice_id"
    )
    video = await upload(t, "clip.webm", webm(3_000, video=True), "video/webm")
    await refused(
        {"voice_id": video["id"], "voice_duration_ms": 3_000}, "not_a_voice_recording", "voice_id"
    )
    # Someone else's upload (another teacher of the class) and one that does not exist.
    other = await world.person("李老师", (school["klass"], "teacher"), username="teacher2")
    await world.commit()
    t2 = await world.login(other)
    theirs = await upload(t2, "theirs.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    await refused({"attachment_id": theirs["id"]}, "ding_file_unknown", "attachment_id")
    await refused({"attachment_id": 987654}, "ding_file_unknown", "attachment_id")
    # The same file as both; a length without a voice note.
    await refused(
        {"voice_id": short["id"], "voice_duration_ms": 3_000, "attachment_id": short["id"]},
        "ding_file_unknown",
        "attachment_id",
    )
    await refused({"voice_duration_ms": 3_000}, "ding_voice_missing", "voice_id")
    # Nothing was sent, and the uploads are still loose (theirs to use).
    assert await count(world, DingMessage) == before
    async with world.app.state.sessionmaker() as s:
        taken = await s.scalar(
            select(func.count()).select_from(DingFile).where(DingFile.message_id.is_not(None))
        )
    assert taken == 0
    # The refused ones still go once fixed: the 3 s recording as the voice note.
    r = await t.post(
        "/api/v1/dings", json=to_guardians(school, voice_id=short["id"], voice_duration_ms=3_100)
    )
    assert r.status_code == 201, r.text
    assert r.json()["voice"]["duration_ms"] == short["duration_ms"]

    # Only those who may DING upload; a program is refused; a claim the bytes belie too.
    s1 = await world.login(school["s1"])
    r = await s1.post("/api/v1/dings/files", files={"file": ("a.txt", b"hi", "text/plain")})
    assert r.status_code == 403 and r.json()["code"] == "ding_not_allowed"
    r = await t.post("/api/v1/dings/files", files={"file": ("x.exe", b"MZ\x90\x00", "x/y")})
    assert r.status_code == 422 and r.json()["code"] == "file_type_refused"
    r = await t.post("/api/v1/dings/files", files={"file": ("p.png", b"%PDF-1.4\n", "image/png")})
    assert r.status_code == 422 and r.json()["code"] == "file_type_mismatch"


async def test_uploads_no_ding_takes_are_swept_after_a_day(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    loose = await upload(t, "photo.png", png(), "image/png")
    used = await upload(t, "note.txt", b"bring a coat", "text/plain")
    r = await t.post("/api/v1/dings", json=to_guardians(school, attachment_id=used["id"]))
    assert r.status_code == 201, r.text
    keys_before = await stored_keys(world.app)
    factory = world.app.state.sessionmaker
    async with unit_of_work(factory) as s:
        assert await delete_loose(s, datetime.now(UTC)) == 0
    async with unit_of_work(factory) as s:
        assert await delete_loose(s, datetime.now(UTC) + timedelta(days=2)) == 1
    # The loose image and its thumbnail are gone from the store; the DING's file stays.
    assert len(keys_before - await stored_keys(world.app)) == 2
    assert (await t.get(loose["url"])).status_code == 404
    assert (await t.get(used["url"])).status_code == 200
    assert await count(world, DingFile) == 1
