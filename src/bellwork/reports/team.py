"""A manager's view of a period (docs/reports.md, "The team's day"): of the people expected
to report at a unit (`people.team_members`: everyone working in it or below, but its own
heads), who submitted on time, who late, who has not (WeCom's `unreport_list`), and each
number question summed across the team (customers followed up), with an XLSX export.

For the unit's heads (and admins): `scope.manages_path`; others 403 `report_not_manager`.
A team is a unit's people (hundreds, not a city): the view reads the period's reports of
the template for them in one query."""

from __future__ import annotations

import asyncio
import io
from datetime import date, datetime
from typing import Any

import xlsxwriter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit import service as audit
from bellwork.core.errors import Forbidden, Invalid
from bellwork.core.i18n import t
from bellwork.core.sheets import XLSXWRITER_OPTIONS
from bellwork.forms.fields import label_text
from bellwork.forms.models import FormTemplate
from bellwork.forms.templates import newest
from bellwork.org.access import Scope, access_unit
from bellwork.org.models import Unit
from bellwork.org.settings import unit_time_zone
from bellwork.reports import periods
from bellwork.reports.models import Report, ReportTemplate
from bellwork.reports.people import team_members
from bellwork.reports.schemas import ReportSum, ReportTeamOut, ReportTeamPerson
from bellwork.reports.templates import access_template
from bellwork.reports.writing import numbers


async def _unit(db: AsyncSession, scope: Scope, rt: ReportTemplate, unit_id: int | None) -> Unit:
    base = await access_unit(db, rt.unit_id)
    if unit_id is None:
        if scope.manages_path(base.path):
            return base
        below = sorted(p for p in scope.head_paths if p.startswith(base.path))
        if not below:
            raise Forbidden("report_not_manager")
        found = (await db.execute(select(Unit).where(Unit.path == below[0]))).scalar_one()
        return found
    unit = await access_unit(db, unit_id)
    if not unit.path.startswith(base.path):
        raise Invalid("report_unit_outside", errors=[{"field": "unit_id"}])
    if not scope.manages_path(unit.path):
        raise Forbidden("report_not_manager")
    return unit


async def team_view(
    db: AsyncSession,
    scope: Scope,
    template_id: int,
    unit_id: int | None,
    day: date | None,
    now: datetime,
) -> ReportTeamOut:
    rt = await access_template(db, scope, template_id)
    unit = await _unit(db, scope, rt, unit_id)
    tz = await unit_time_zone(db, rt.unit_id)
    period = periods.start_of(rt.period, day) if day else periods.current(rt.period, now, tz)
    due = periods.deadline_at(rt.period, period, rt.deadline, tz)
    people = await team_members(db, unit)
    ids = [p.id for p in people]
    reports: dict[int, Report] = {}
    if ids:
        rows = await db.execute(
            select(Report).where(
                Report.template_id == rt.id, Report.period == period, Report.author_id.in_(ids)
            )
        )
        reports = {r.author_id: r for r in rows.scalars()}
    ft = await db.get(FormTemplate, rt.form_template_id)
    assert ft is not None
    counted = numbers((await newest(db, ft)).definition)
    keys = [f["key"] for f in counted]
    out = ReportTeamOut(
        template_id=rt.id,
        unit_id=unit.id,
        period=period,
        deadline_at=due,
        expected=len(people),
        submitted=[],
        late=[],
        unreported=[],
        sums=[],
    )
    totals = dict.fromkeys(keys, 0.0)
    for p in people:
        r = reports.get(p.id)
        if r is None:
            out.unreported.append(
                ReportTeamPerson(
                    id=p.id, name=p.name, report_id=None, submitted_at=None, late=False, numbers={}
                )
            )
            continue
        got = {k: float(r.answers[k]) for k in keys if isinstance(r.answers.get(k), int | float)}
        for k, v in got.items():
            totals[k] += v
        row = ReportTeamPerson(
            id=p.id,
            name=p.name,
            report_id=r.id,
            submitted_at=r.submitted_at,
            late=r.late,
            numbers=got,
        )
        (out.late if r.late else out.submitted).append(row)
    out.sums = [
        ReportSum(
            key=f["key"], label=label_text(f["label"]), unit=f.get("unit"), total=totals[f["key"]]
        )
        for f in counted
    ]
    return out


def _xlsx(rows: list[list[Any]]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, **XLSXWRITER_OPTIONS})
    ws = wb.add_worksheet()
    for i, row in enumerate(rows):
        ws.write_row(i, 0, row)
    wb.close()
    return buf.getvalue()


async def export(
    db: AsyncSession,
    scope: Scope,
    template_id: int,
    unit_id: int | None,
    day: date | None,
    now: datetime,
) -> tuple[str, bytes]:
    """The period's view as an XLSX file: one row per person (status, time, every answer)."""
    view = await team_view(db, scope, template_id, unit_id, day, now)
    rt = await access_template(db, scope, template_id)
    ft = await db.get(FormTemplate, rt.form_template_id)
    assert ft is not None
    fields = [
        f for f in (await newest(db, ft)).definition.get("fields", []) if f["kind"] != "section"
    ]
    ids = [p.report_id for p in [*view.submitted, *view.late] if p.report_id]
    answers: dict[int, dict[str, Any]] = {}
    if ids:
        found = await db.execute(select(Report).where(Report.id.in_(ids)))
        answers = {r.id: r.answers for r in found.scalars()}
    head = [t("report_col_name"), t("report_col_status"), t("report_col_time")]
    rows: list[list[Any]] = [head + [label_text(f["label"]) for f in fields]]
    for status, people in (
        ("report_late", view.late),
        ("report_on_time", view.submitted),
        ("report_missing", view.unreported),
    ):
        for p in people:
            got = answers.get(p.report_id or 0, {})
            when = (
                p.submitted_at.astimezone(view.deadline_at.tzinfo).strftime("%Y-%m-%d %H:%M")
                if p.submitted_at
                else ""
            )
            rows.append([p.name, t(status), when] + [_cell(got.get(f["key"])) for f in fields])
    rows.append([])
    rows.append(
        [t("report_col_total"), "", ""]
        + [next((s.total for s in view.sums if s.key == f["key"]), "") for f in fields]
    )
    await audit.record(
        db,
        scope.person_id,
        "report.export",
        "report_template",
        rt.id,
        None,
        {"period": view.period.isoformat(), "unit_id": view.unit_id},
        unit_id=view.unit_id,
    )
    data = await asyncio.to_thread(_xlsx, rows)
    return f"{ft.name}-{view.period.isoformat()}.xlsx", data


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return value
