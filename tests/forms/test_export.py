"""Exports of a morning's submissions: a small one made at once (XLSX read back with openpyxl,
CSV with Chinese text Excel opens), a large one made by the job and announced, refused where
names are hidden, downloadable only by the person who asked."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from bellwork.forms import export
from bellwork.jobs.runner import run_due
from tests.conftest import World
from tests.forms.test_filling import DAY, GOOD, Clock, clock, open_today
from tests.forms.test_stats import city

__all__ = ["clock"]


async def morning(world: World) -> tuple[dict[str, Any], Any, int]:
    s = await city(world)
    principal = await world.login(s["principal"])
    template = (
        await principal.post(
            "/api/v1/forms/templates",
            json={"unit_id": s["school"].id, "name": "晨检", "builtin": "student_health"},
        )
    ).json()
    cid = (
        await principal.post(
            "/api/v1/forms/campaigns",
            json={
                "client_id": "s-1",
                "template_id": template["id"],
                "unit_id": s["school"].id,
                "name": "全校晨检",
                "subject": "student",
                "units": [{"unit_id": s["school"].id, "roles": ["student"]}],
                "schedule": {"kind": "daily", "start": DAY.isoformat()},
            },
        )
    ).json()["id"]
    await open_today(world, cid)
    for kid, answers in (
        (s["kids1"][0], GOOD),
        (s["kids1"][1], {**GOOD, "temperature": 37.8, "symptoms": ["cough", "fever"]}),
        (s["kids2"][0], GOOD),
    ):
        c = await world.login(kid)
        body = {"client_id": "x", "subject_id": kid.id, "version": 1, "answers": answers}
        r = await c.post(f"/api/v1/forms/campaigns/{cid}/submissions", json=body)
        assert r.status_code == 201
    return s, principal, cid


async def test_a_small_export_is_made_at_once(world: World, clock: Clock) -> None:
    s, principal, cid = await morning(world)
    # What someone typed stays text in the spreadsheet, never a formula it would run.
    typist = s["kids2"][1]
    note = {**GOOD, "symptoms": ["other"], "symptom_note": '=HYPERLINK("x","y")'}
    body = {"client_id": "x", "subject_id": typist.id, "version": 1, "answers": note}
    r = await (await world.login(typist)).post(
        f"/api/v1/forms/campaigns/{cid}/submissions", json=body
    )
    assert r.status_code == 201
    span = {"start": DAY.isoformat(), "end": DAY.isoformat()}
    r = await principal.post(
        f"/api/v1/forms/campaigns/{cid}/exports",
        json={**span, "format": "xlsx"},
        headers={"accept-language": "zh-CN"},
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["state"] == "done" and made["rows"] == 4
    got = await principal.get(made["download"])
    assert got.status_code == 200
    assert "filename*=utf-8''" in got.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(got.content), read_only=True).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][:9] == [
        "日期",
        "班级",
        "姓名",
        "学号",
        "填写人",
        "提交时间",
        "迟交",
        "异常",
        "异常原因",
    ]
    assert rows[0][9:12] == ["体温", "今日症状", "其他症状说明"]
    fever = next(r for r in rows if r[2] == "一班1")
    assert fever[:3] == ["2026-12-01", "实验小学 / 一年级 / 1班", "一班1"]
    assert fever[7] == "是" and fever[8] == "体温 ≥ 37.3 °C；有症状"
    assert fever[9] == 37.8 and fever[10] == "发热、咳嗽"  # the form's order, in words
    assert len(rows) == 5
    typed = load_workbook(io.BytesIO(got.content)).worksheets[0]
    cell = next(r[11] for r in typed.iter_rows(min_row=2) if r[2].value == typist.name)
    assert cell.value == '=HYPERLINK("x","y")' and cell.data_type == "s"

    # CSV, in English, for one class: with a byte-order mark so Excel reads it as UTF-8.
    r = await principal.post(
        f"/api/v1/forms/campaigns/{cid}/exports",
        json={**span, "format": "csv", "unit_id": s["c2"].id},
        headers={"accept-language": "en"},
    )
    body = (await principal.get(r.json()["download"])).content
    assert body.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert lines[0][:3] == ["Day", "Class", "Name"] and len(lines) == 3
    assert lines[1][2] == "二班0" and lines[1][10] == "None"
    assert lines[2][2] == typist.name and lines[2][10] == "Other"
    assert lines[2][11] == '\'=HYPERLINK("x","y")'

    # Someone else cannot download it; a bureau head without names cannot export.
    official = await world.login(s["official"])
    assert (await official.get(made["download"])).status_code == 404
    r = await official.post(f"/api/v1/forms/campaigns/{cid}/exports", json=span)
    assert r.status_code == 403 and r.json()["code"] == "form_names_hidden"
    r = await principal.post(
        f"/api/v1/forms/campaigns/{cid}/exports",
        json={"start": "2026-12-01", "end": "2027-03-01"},
    )
    assert r.status_code == 422 and r.json()["errors"] == [{"field": "end"}]


async def test_a_large_export_is_a_job_that_says_when_it_is_ready(
    world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "AT_ONCE", 1)
    _, principal, cid = await morning(world)
    r = await principal.post(
        f"/api/v1/forms/campaigns/{cid}/exports",
        json={"start": DAY.isoformat(), "end": DAY.isoformat()},
    )
    assert r.status_code == 201 and r.json()["state"] == "queued"
    assert r.json()["download"] is None
    eid = r.json()["id"]
    assert (await principal.get(f"/api/v1/forms/exports/{eid}/download")).status_code == 409
    state: dict[str, Any] = {}
    for _ in range(100):
        await run_due(world.app.state.runtime, clock=lambda: datetime.now(UTC))
        state = (await principal.get(f"/api/v1/forms/exports/{eid}")).json()
        if state["state"] != "queued":
            break
        await asyncio.sleep(0.05)
    assert state["state"] == "done" and state["rows"] == 3
    got = await principal.get(state["download"])
    assert got.status_code == 200 and got.content[:2] == b"PK"
