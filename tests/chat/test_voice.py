"""Voice messages (语音): a recording uploaded as a file, sent with its length; the server checks
the recording and the length against each other; recall and burn delete it like any file."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bellwork.chat.models import Message
from tests.chat.conftest import cmid
from tests.chat.test_burn import burn_now, expire_all, key_files, png
from tests.conftest import World
from tests.files.recordings import CHROMIUM_MP4, CHROMIUM_WEBM, ogg, webm
from tests.stored import stored_keys


async def upload(c: httpx.AsyncClient, conv: int, name: str, data: bytes, ctype: str) -> Any:
    r = await c.post(f"/api/v1/conversations/{conv}/files", files={"file": (name, data, ctype)})
    assert r.status_code == 201, r.text
    return r.json()


async def send_voice(
    c: httpx.AsyncClient, conv: int, file_id: int, duration_ms: int | None, **headers: str
) -> httpx.Response:
    body: dict[str, Any] = {"client_msg_id": cmid(), "kind": "voice", "file_id": file_id}
    if duration_ms is not None:
        body["duration_ms"] = duration_ms
    return await c.post(f"/api/v1/conversations/{conv}/messages", json=body, headers=headers)


async def direct(world: World, school: dict[str, Any], private: bool = False) -> int:
    t = await world.login(school["teacher"])
    r = await t.post(
        "/api/v1/conversations/direct", json={"person_id": school["p1"].id, "private": private}
    )
    return int(r.json()["id"])


async def test_a_voice_message_is_sent_heard_and_counted(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    conv = await direct(world, school)
    recording = CHROMIUM_WEBM.read_bytes()
    f = await upload(t, conv, "voice.webm", recording, "audio/webm;codecs=opus")
    assert f["content_type"] == "audio/webm" and f["duration_ms"] == 2400
    # The recorder's timer said 2.6 s; the recording is 2.4 s long: that is what is shown.
    r = await send_voice(t, conv, f["id"], 2600)
    assert r.status_code == 201, r.text
    m = r.json()
    assert m["kind"] == "voice" and m["body"] is None
    assert m["file"]["id"] == f["id"] and m["file"]["duration_ms"] == 2400
    assert m["unread_count"] == 1
    # The recipient: in the list (the client words it "[语音]"), in the history, playable.
    listed = (await p1.get("/api/v1/conversations")).json()["items"]
    last = next(c for c in listed if c["id"] == conv)["last_message"]
    assert last["kind"] == "voice" and last["file"]["duration_ms"] == 2400
    items = (await p1.get(f"/api/v1/conversations/{conv}/messages")).json()["items"]
    assert [(x["kind"], x["file"]["duration_ms"]) for x in items] == [("voice", 2400)]
    got = await p1.get(f"/api/v1/files/{f['id']}")
    assert got.status_code == 200 and got.content == recording
    assert got.headers["content-type"] == "audio/webm"
    # Read receipts as for any message.
    await p1.post(f"/api/v1/conversations/{conv}/read", json={"seq": m["seq"]})
    counts = (await t.get(f"/api/v1/conversations/{conv}/receipts?seqs={m['seq']}")).json()
    assert counts == [{"seq": m["seq"], "read_count": 1, "unread_count": 0}]
    # What Firefox (Ogg) and Safari (MP4) record goes too.
    for name, data, ctype, length in (
        ("v.ogg", ogg(5_300), "audio/ogg;codecs=opus", 5_300),
        ("v.mp4", CHROMIUM_MP4.read_bytes(), "audio/mp4", 2_421),
    ):
        f2 = await upload(t, conv, name, data, ctype)
        r = await send_voice(t, conv, f2["id"], length)
        assert r.status_code == 201, r.text
        assert r.json()["file"]["duration_ms"] == length


async def test_what_is_not_a_voice_message_is_refused(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    conv = await direct(world, school)

    async def messages() -> int:
        world.db.expire_all()
        n = await world.db.scalar(
            select(func.count()).select_from(Message).where(Message.conversation_id == conv)
        )
        return int(n or 0)

    async def refused(
        data: bytes, ctype: str, duration: int | None, code: str, field: str = "duration_ms"
    ) -> dict[str, Any]:
        f = await upload(t, conv, "v", data, ctype)
        r = await send_voice(t, conv, f["id"], duration, **{"accept-language": "en"})
        assert r.status_code == 422, r.text
        problem: dict[str, Any] = r.json()
        assert problem["code"] == code and problem["errors"][0]["field"] == field, problem
        return problem

    before = await messages()
    p = await refused(png(), "image/png", 3000, "not_a_voice_recording", "file_id")
    assert p["title"] == "A voice message must be a sound recording (WebM, Ogg or MP4 audio)."
    await refused(webm(3_000, video=True), "video/webm", 3000, "not_a_voice_recording", "file_id")
    p = await refused(webm(3_000), "audio/webm", None, "voice_duration_invalid")
    assert p["title"] == "A voice message must be between 1 and 60 seconds long."
    await refused(webm(600), "audio/webm", 600, "voice_duration_invalid")
    await refused(webm(65_000), "audio/webm", 65_000, "voice_duration_invalid")
    # Said to be a minute, but 70 s long; said to be 10 s, but 2.4 s long.
    await refused(webm(70_000), "audio/webm", 60_000, "voice_duration_mismatch")
    p = await refused(CHROMIUM_WEBM.read_bytes(), "audio/webm", 10_000, "voice_duration_mismatch")
    assert p["title"] == "The voice message's length does not match its recording."
    # Over 2 MB: a minute at 300 kbit/s is no voice message.
    await refused(webm(59_000, frame=800), "audio/webm", 59_000, "file_too_large", "file_id")
    assert await messages() == before  # nothing was sent
    # In Chinese.
    f = await upload(t, conv, "v", webm(3_000), "audio/webm")
    r = await send_voice(t, conv, f["id"], 99_000, **{"accept-language": "zh-CN"})
    assert r.json()["title"] == "语音时长须在 1 到 60 秒之间。"
    # The same recording with an honest length goes.
    r = await send_voice(t, conv, f["id"], 3_000)
    assert r.status_code == 201 and r.json()["file"]["duration_ms"] == 2_980


@pytest.mark.parametrize("files_backend", ["local", "s3"])
async def test_recalling_a_voice_message_deletes_the_recording(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    conv = await direct(world, school)
    before = await stored_keys(world.app)
    f = await upload(t, conv, "voice.webm", CHROMIUM_WEBM.read_bytes(), "audio/webm")
    m = (await send_voice(t, conv, f["id"], 2400)).json()
    assert len(await stored_keys(world.app) - before) == 1
    r = await t.post(f"/api/v1/conversations/{conv}/messages/{m['seq']}/recall")
    assert r.status_code == 204
    assert await stored_keys(world.app) == before
    assert (await p1.get(f"/api/v1/files/{f['id']}")).status_code == 404
    items = (await p1.get(f"/api/v1/conversations/{conv}/messages")).json()["items"]
    assert items[-1]["recalled"] is True and items[-1]["file"] is None


async def test_voice_in_a_private_chat_is_sealed_and_burned(
    world: World, school: dict[str, Any], data_dir: Path
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    conv = await direct(world, school, private=True)
    recording = CHROMIUM_WEBM.read_bytes()
    before = await stored_keys(world.app)
    keys_before = set(key_files(data_dir))  # other tests' (ids come again after each wipe)
    f = await upload(t, conv, "voice.webm", recording, "audio/webm")
    assert f["duration_ms"] == 2400
    (key,) = await stored_keys(world.app) - before
    stored_bytes = await world.app.state.runtime.files.get(key)
    assert recording[:64] not in stored_bytes  # what reaches the store is ciphertext
    m = (await send_voice(t, conv, f["id"], 2400)).json()
    assert m["kind"] == "voice" and m["file"]["duration_ms"] == 2400
    # Hidden from the recipient until opened; then playable, decrypted.
    hidden = (await p1.get(f"/api/v1/conversations/{conv}/messages")).json()["items"][-1]
    assert hidden["kind"] == "voice" and hidden["file"] is None
    assert (await p1.get(f"/api/v1/files/{f['id']}")).status_code == 404
    opened = (await p1.post(f"/api/v1/conversations/{conv}/messages/{m['seq']}/open")).json()
    assert opened["file"]["duration_ms"] == 2400 and opened["expires_at"] is not None
    got = await p1.get(f"/api/v1/files/{f['id']}")
    assert got.status_code == 200 and got.content == recording
    assert got.headers["cache-control"] == "no-store"
    # Burned: the recording, its key and its row are gone.
    await expire_all(world)
    assert await burn_now(world, data_dir) >= 1
    # The app's own job runner may have burned it a moment before: its key is shredded once
    # that transaction commits, on its own task.
    for _ in range(100):
        if set(key_files(data_dir)) <= keys_before:
            break
        await asyncio.sleep(0.05)
    assert await stored_keys(world.app) == before
    assert set(key_files(data_dir)) <= keys_before
    assert (await p1.get(f"/api/v1/files/{f['id']}")).status_code == 404
