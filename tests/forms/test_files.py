"""Photos and files in a form (docs/forms.md, "Photos and files"): a guardian uploads a photo
for their child's check-in and names it in the answer; the class teacher sees it in the people
list and the export (each look audited); nobody else reads it; someone else's upload, another
campaign's or one already used is refused; the files go with their submission and, unused, a
day after upload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bellwork.db.session import unit_of_work
from bellwork.forms import files as form_files
from bellwork.forms.models import FormFile
from bellwork.forms.retention import sweep
from tests.conftest import World
from tests.forms.test_filling import DAY, MORNING, Clock, clock, open_today, school
from tests.notices.test_notices import png
from tests.stored import stored_keys

__all__ = ["clock"]

PDF = b"%PDF-1.4\n%fake but signed\n"
DEFINITION = {
    "fields": [
        {"kind": "temperature", "key": "temperature", "label": "体温", "required": True},
        {
            "kind": "file",
            "key": "photo",
            "label": {"zh-CN": "健康码截图", "en": "Health code"},
            "images_only": True,
            "max_files": 2,
            "required": True,
        },
        {"kind": "file", "key": "doc", "label": "证明材料", "max_files": 1},
    ],
    "rules": [],
}


async def photo_campaign(
    world: World, s: dict[str, Any], client_id: str = "p-1"
) -> tuple[httpx.AsyncClient, int]:
    teacher = await world.login(s["teacher"])
    r = await teacher.post(
        "/api/v1/forms/templates",
        json={"unit_id": s["c1"].id, "name": "晨检（拍照）", "definition": DEFINITION},
    )
    assert r.status_code == 201, r.text
    r = await teacher.post(
        "/api/v1/forms/campaigns",
        json={
            "client_id": client_id,
            "template_id": r.json()["id"],
            "unit_id": s["c1"].id,
            "name": "拍照晨检",
            "subject": "student",
            "units": [{"unit_id": s["c1"].id, "roles": ["student"]}],
            "schedule": {"kind": "daily", "start": DAY.isoformat()},
        },
    )
    assert r.status_code == 201, r.text
    cid = int(r.json()["id"])
    await open_today(world, cid)
    return teacher, cid


async def upload(
    c: httpx.AsyncClient,
    cid: int,
    subject_id: int,
    field: str = "photo",
    data: bytes | None = None,
    name: str = "健康码.png",
    ctype: str = "image/png",
) -> httpx.Response:
    return await c.post(
        f"/api/v1/forms/campaigns/{cid}/files",
        data={"subject_id": str(subject_id), "field": field},
        files={"file": (name, png(64, 48) if data is None else data, ctype)},
    )


async def submit(
    c: httpx.AsyncClient, cid: int, subject_id: int, client_id: str, **answers: Any
) -> httpx.Response:
    body = {
        "client_id": client_id,
        "subject_id": subject_id,
        "version": 1,
        "answers": {"temperature": 36.5, **answers},
    }
    return await c.post(f"/api/v1/forms/campaigns/{cid}/submissions", json=body)


async def file_count(world: World) -> int:
    n = await world.db.scalar(select(func.count()).select_from(FormFile))
    await world.db.commit()
    return int(n or 0)


async def test_a_guardian_sends_a_photo_and_the_class_teacher_sees_it(
    world: World, clock: Clock
) -> None:
    s = await school(world)
    teacher, cid = await photo_campaign(world, s)
    mum = await world.login(s["mum"])
    r = await upload(mum, cid, s["ming"].id)
    assert r.status_code == 201, r.text
    photo = r.json()
    assert (photo["field"], photo["content_type"], photo["width"], photo["has_thumbnail"]) == (
        "photo",
        "image/png",
        64,
        True,
    )
    assert photo["url"] == f"/api/v1/forms/files/{photo['id']}"
    # The uploader reads it before submitting; nobody else does yet.
    assert (await mum.get(photo["url"])).status_code == 200
    assert (await teacher.get(photo["url"])).status_code == 404

    r = await submit(mum, cid, s["ming"].id, "m-1", photo=[photo["id"]])
    assert r.status_code == 201, r.text
    assert [f["id"] for f in r.json()["files"]] == [photo["id"]]
    # Opened again, the form shows it.
    fill = (
        await mum.get(f"/api/v1/forms/campaigns/{cid}/fill", params={"subject_id": s["ming"].id})
    ).json()
    assert [f["name"] for f in fill["submission"]["files"]] == ["健康码.png"]

    # The filler, the subject and the class teacher read it; the thumbnail too.
    ming = await world.login(s["ming"])
    for c in (mum, ming, teacher):
        got = await c.get(photo["url"])
        assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    thumb = await teacher.get(photo["url"] + "/thumbnail")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    # Another child's parent, another class's student: as if it did not exist.
    for who in (s["stranger"], s["gang"]):
        c = await world.login(who)
        assert (await c.get(photo["url"])).status_code == 404
        assert (await c.get(photo["url"] + "/thumbnail")).status_code == 404

    # The people list shows it.
    people = (
        await teacher.get(f"/api/v1/forms/campaigns/{cid}/people", params={"day": str(DAY)})
    ).json()
    shown = {p["person_id"]: p["files"] for p in people}
    assert [f["id"] for f in shown[s["ming"].id]] == [photo["id"]] and shown[s["hong"].id] == []

    # The export names the file and where to fetch it.
    r = await teacher.post(
        f"/api/v1/forms/campaigns/{cid}/exports",
        json={"start": str(DAY), "end": str(DAY), "format": "csv"},
    )
    assert r.status_code == 201 and r.json()["state"] == "done", r.text
    csv = (await teacher.get(r.json()["download"])).content.decode("utf-8-sig")
    assert "Health code" in csv.splitlines()[0]  # the reader's language: English here
    assert f"健康码.png (/api/v1/forms/files/{photo['id']})" in csv

    # The teacher's looks at the photo are audited; the family's are not.
    admin = await world.login(await world.person("管理员", username="root", is_admin=True))
    log = (await admin.get("/api/v1/audit", params={"action": "form.file.view"})).json()
    assert {(e["actor"]["id"], e["target_id"]) for e in log["items"]} == {(s["teacher"].id, cid)}
    assert len(log["items"]) == 2  # the photo and its thumbnail


async def test_only_ones_own_unused_uploads_for_the_question_are_taken(
    world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = await school(world)
    _, cid = await photo_campaign(world, s)
    _, other = await photo_campaign(world, s, client_id="p-2")
    mum = await world.login(s["mum"])
    dad = await world.login(s["stranger"])

    before = await stored_keys(world.app)
    # Who may upload: a guardian for their own child, for a campaign that asks about them.
    r = await upload(mum, cid, s["hong"].id)
    assert r.status_code == 403 and r.json()["code"] == "form_not_guardian"
    r = await upload(mum, cid, s["gang"].id)
    assert r.status_code == 404
    # The question's limits: photos only; a known file question; the store's size and types.
    r = await upload(mum, cid, s["ming"].id, data=PDF, name="a.pdf", ctype="application/pdf")
    assert r.status_code == 415 and r.json()["code"] == "form_file_not_image"
    r = await upload(mum, cid, s["ming"].id, "temperature")
    assert r.status_code == 422 and r.json()["code"] == "form_file_field_unknown"
    r = await upload(mum, cid, s["ming"].id, "doc", b"MZ\x90\x00", "x.exe", "application/x-msdos")
    assert r.status_code == 415 and r.json()["code"] == "file_type_refused"
    with monkeypatch.context() as m:
        m.setattr(form_files, "MAX_IMAGE", 100)
        r = await upload(mum, cid, s["ming"].id)
        assert r.status_code == 413 and r.json()["code"] == "file_too_large"
    assert await stored_keys(world.app) == before  # nothing refused was kept

    doc = (await upload(mum, cid, s["ming"].id, "doc", PDF, "证明.pdf", "application/pdf")).json()
    assert doc["content_type"] == "application/pdf" and doc["has_thumbnail"] is False
    mine = (await upload(mum, cid, s["ming"].id)).json()
    theirs = (await upload(dad, cid, s["hong"].id)).json()
    elsewhere = (await upload(mum, other, s["ming"].id)).json()

    def refused(r: httpx.Response, *fields: str) -> None:
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["code"] == "form_answers_invalid"
        assert [(e["field"], e["type"]) for e in body["errors"]] == [
            (f, "form_file_unknown") for f in fields
        ]

    # Someone else's upload, another campaign's, another question's, one that does not exist.
    refused(await submit(mum, cid, s["ming"].id, "m-1", photo=[theirs["id"]]), "answers.photo")
    refused(await submit(mum, cid, s["ming"].id, "m-2", photo=[elsewhere["id"]]), "answers.photo")
    refused(
        await submit(mum, cid, s["ming"].id, "m-3", photo=[doc["id"]], doc=[mine["id"]]),
        "answers.photo",
        "answers.doc",
    )
    refused(await submit(mum, cid, s["ming"].id, "m-4", photo=[10**9]), "answers.photo")
    # One's own, for this campaign, subject and question: taken.
    r = await submit(mum, cid, s["ming"].id, "m-5", photo=[mine["id"]], doc=[doc["id"]])
    assert r.status_code == 201, r.text
    assert sorted(f["field"] for f in r.json()["files"]) == ["doc", "photo"]

    # The next day, yesterday's photo is that submission's, not a new one's.
    clock.now = MORNING + timedelta(days=1)
    refused(await submit(mum, cid, s["ming"].id, "m-6", photo=[mine["id"]]), "answers.photo")
    # A file answer is a list of ids; too many is named.
    r = await submit(mum, cid, s["ming"].id, "m-7", photo=[1, 2, 3])
    assert r.status_code == 422 and r.json()["errors"][0]["type"] == "form_files_too_many"


async def test_a_change_replaces_the_photo_and_the_old_one_goes(world: World, clock: Clock) -> None:
    s = await school(world)
    teacher, cid = await photo_campaign(world, s)
    mum = await world.login(s["mum"])
    first = (await upload(mum, cid, s["ming"].id)).json()
    assert (await submit(mum, cid, s["ming"].id, "m-1", photo=[first["id"]])).status_code == 201
    before = await stored_keys(world.app)
    second = (await upload(mum, cid, s["ming"].id, name="new.png")).json()
    r = await submit(mum, cid, s["ming"].id, "m-2", photo=[second["id"]])
    assert r.status_code == 201, r.text  # a change (200 is a retry)
    assert [f["name"] for f in r.json()["files"]] == ["new.png"]
    assert (await mum.get(first["url"])).status_code == 404
    assert await file_count(world) == 1
    # The old photo and its thumbnail are gone from the store.
    assert len(before - await stored_keys(world.app)) == 2
    # A change keeps the photo the submission already has, whoever makes it: the child too.
    ming = await world.login(s["ming"])
    r = await submit(ming, cid, s["ming"].id, "m-3", photo=[second["id"]], temperature=36.8)
    assert r.status_code == 201 and r.json()["files"][0]["id"] == second["id"], r.text
    assert (await teacher.get(second["url"])).status_code == 200


async def test_files_go_with_their_submissions_and_unused_uploads_after_a_day(
    world: World, clock: Clock
) -> None:
    s = await school(world)
    _, cid = await photo_campaign(world, s)
    mum = await world.login(s["mum"])
    before = await stored_keys(world.app)
    used = (await upload(mum, cid, s["ming"].id)).json()
    assert (await submit(mum, cid, s["ming"].id, "m-1", photo=[used["id"]])).status_code == 201
    loose = (await upload(mum, cid, s["ming"].id, name="loose.png")).json()
    assert len(await stored_keys(world.app) - before) == 4
    sm = world.app.state.runtime.sessionmaker
    async with unit_of_work(sm) as db:
        assert await form_files.delete_loose(db, datetime.now(UTC)) == 0
    async with unit_of_work(sm) as db:
        assert await form_files.delete_loose(db, datetime.now(UTC) + timedelta(days=2)) == 1
    assert (await mum.get(loose["url"])).status_code == 404
    assert (await mum.get(used["url"])).status_code == 200
    assert len(await stored_keys(world.app) - before) == 2
    # 31 days later (30 kept by default) the submission goes, and its photo with it.
    async with unit_of_work(sm) as db:
        assert await sweep(db, datetime(2027, 1, 1, 2, tzinfo=UTC)) == 1
    assert await file_count(world) == 0
    assert await stored_keys(world.app) - before == set()
    assert (await mum.get(used["url"])).status_code == 404
