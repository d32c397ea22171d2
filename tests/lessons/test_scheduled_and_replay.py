"""A lesson planned for later (scheduled, then started by its teacher), and who may fetch its
replay: the classes' members (byte ranges served), nobody else (404 as for a lesson that does
not exist). The recording's conversion itself runs in tests/browser/test_lessons.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from bellwork.config import Settings
from bellwork.lessons.models import Lesson
from bellwork.lessons.replay import replay_file
from tests.lessons.test_lessons import _world
from tests.media.conftest import RunningJanus, media_app


async def test_a_scheduled_lesson_and_who_may_fetch_its_replay(
    migrated: str, settings: Settings, janus: RunningJanus
) -> None:
    servers = [janus.server("sfu")]
    async with media_app(migrated, settings, janus_run="never", janus_servers=servers) as app:
        p = await _world(app)
        t, s, stranger = p["teacher"], p["students"], p["stranger"]
        c1, _, _ = p["units"]
        at = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
        r = await t.post(
            "/api/v1/lessons",
            json={
                "title": "语文",
                "unit_ids": [c1],
                "client_id": "s1",
                "starts_at": at.isoformat(),
            },
        )
        assert r.status_code == 201, r.text
        lesson = r.json()
        lid = lesson["id"]
        assert lesson["state"] == "scheduled"
        assert datetime.fromisoformat(lesson["starts_at"]) == at
        # Its classes see it coming; a stranger does not
        assert [x["id"] for x in (await s[0].get("/api/v1/lessons")).json()] == [lid]
        assert (await stranger.get(f"/api/v1/lessons/{lid}")).status_code == 404
        # Only its teacher starts it
        r = await s[0].post(f"/api/v1/lessons/{lid}/start")
        assert r.status_code in (403, 404) and r.json()["code"] != "internal", r.text
        r = await t.post(f"/api/v1/lessons/{lid}/start")
        assert r.status_code == 200 and r.json()["state"] == "live", r.text
        r = await t.post(f"/api/v1/lessons/{lid}/end")
        assert r.status_code == 200 and r.json()["state"] == "ended", r.text

        # No replay yet: said so
        r = await s[0].get(f"/api/v1/lessons/{lid}/replay")
        assert r.status_code == 404 and r.json()["title"] == "Replay not found.", r.json()
        # Once the replay job has made the file (arranged here: a WebM's first bytes)
        path = replay_file(app.state.runtime.settings, lid)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 4)
        async with app.state.sessionmaker() as db:
            await db.execute(update(Lesson).where(Lesson.id == lid).values(replay_state="ready"))
            await db.commit()
        r = await s[0].get(f"/api/v1/lessons/{lid}/replay")
        assert r.status_code == 200 and r.headers["content-type"] == "video/webm"
        assert r.content == path.read_bytes()
        r = await p["mom"].get(f"/api/v1/lessons/{lid}/replay", headers={"Range": "bytes=4-7"})
        assert r.status_code == 206 and r.content == bytes(range(4))
        watching = {"watching": True}
        assert (
            await s[0].post(f"/api/v1/lessons/{lid}/replay/watching", json=watching)
        ).status_code == 204
        # A stranger: 404 alike, for the file and for counting replay time
        r = await stranger.get(f"/api/v1/lessons/{lid}/replay")
        assert r.status_code == 404 and r.json()["title"] == "Lesson not found.", r.json()
        r = await stranger.post(f"/api/v1/lessons/{lid}/replay/watching", json=watching)
        assert r.status_code == 404
