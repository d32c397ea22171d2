"""Exporting a campaign's submissions to XLSX or CSV (docs/forms.md, "Export").

One click, any scope (a class, a school, a bureau's family of campaigns), a day or a range of
up to 62 days. An export of at most `AT_ONCE` submissions is made while the request waits; a
larger one by the `forms.export` job, which tells the person (`form.export_ready`) when its
file is ready. Either way the file goes to the files store and is downloaded from
`/forms/exports/{id}/download` by the person who asked, for a day.

Memory stays flat however many rows: submissions are read from the database in chunks
(`stream`), and each chunk is written in a thread into an XLSX file in XlsxWriter's
constant-memory mode (rows go to disk as they come) or a CSV file, in a temporary folder.
The file's bytes are read once at the end to store them.

An export holds names and health answers: only those who may see names at the unit may make
one (stats.may_see_names), and each is in the audit log."""

from __future__ import annotations

import asyncio
import csv
import tempfile
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit import service as audit
from bellwork.auth.service import Actor
from bellwork.core.errors import Forbidden, Invalid, NotFound
from bellwork.core.i18n import t
from bellwork.core.sheets import XLSXWRITER_OPTIONS, csv_text
from bellwork.db.base import utcnow
from bellwork.files.storage import Storage, new_key
from bellwork.forms import live
from bellwork.forms.campaigns import root_of
from bellwork.forms.fields import CHOICES, label_text
from bellwork.forms.files import cell as file_cell
from bellwork.forms.files import names_of as file_names
from bellwork.forms.models import (
    FormCampaign,
    FormDayCount,
    FormExport,
    FormSubmission,
    FormTemplate,
    FormVersion,
)
from bellwork.forms.privacy import may_see_names
from bellwork.forms.rules import FormDefinition
from bellwork.forms.schemas import ExportIn, ExportOut
from bellwork.forms.stats import scope_unit, under
from bellwork.jobs import enqueue
from bellwork.org.access import Scope
from bellwork.org.models import Person, Unit
from bellwork.org.settings import zone
from bellwork.org.units import path_names
from bellwork.runtime import runtime_of

EXPORT = "forms.export"
EXPIRE = "forms.export_expire"
AT_ONCE = 2000
CHUNK = 2000
MAX_DAYS = 62
KEEP = timedelta(days=1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def _shape(e: FormExport) -> ExportOut:
    return ExportOut(
        id=e.id,
        campaign_id=e.campaign_id,
        unit_id=e.unit_id,
        start=e.start,
        end=e.end,
        format=e.format,
        state=e.state,
        rows=e.rows,
        error=e.error,
        created_at=e.created_at,
        finished_at=e.finished_at,
        download=f"/api/v1/forms/exports/{e.id}/download" if e.state == "done" else None,
    )


async def request(
    db: AsyncSession, actor: Actor, scope: Scope, campaign_id: int, data: ExportIn, locale: str
) -> ExportOut:
    """Makes the export now when small, else queues the job; the export either way."""
    if data.end < data.start or (data.end - data.start).days >= MAX_DAYS:
        raise Invalid("form_trend_range", errors=[{"field": "end"}], days=MAX_DAYS)
    campaign, unit = await scope_unit(db, scope, campaign_id, data.unit_id)
    if not await may_see_names(db, scope, unit):
        raise Forbidden("form_names_hidden")
    expected = (
        await db.execute(
            select(func.coalesce(func.sum(FormDayCount.submitted), 0)).where(
                FormDayCount.root_id == root_of(campaign),
                FormDayCount.period >= data.start,
                FormDayCount.period <= data.end,
                under(FormDayCount.unit_path, unit.path),
            )
        )
    ).scalar_one()
    export = FormExport(
        campaign_id=campaign.id,
        unit_id=unit.id,
        requested_by=actor.id,
        start=data.start,
        end=data.end,
        format=data.format,
        locale=locale,
    )
    db.add(export)
    await db.flush()
    await audit.record(
        db,
        actor.id,
        "form.export",
        "form_campaign",
        campaign.id,
        None,
        {"unit_id": unit.id, "period": f"{data.start} – {data.end}", "format": data.format},
        unit_id=unit.id,
    )
    if int(expected) <= AT_ONCE:
        await make(db, export.id, runtime_of(db).files, utcnow())
    else:
        await enqueue(db, EXPORT, {"export": export.id}, key=f"{EXPORT}:{export.id}")
    return _shape(export)


async def get(db: AsyncSession, actor: Actor, export_id: int) -> FormExport:
    export = await db.get(FormExport, export_id)
    if export is None or export.requested_by != actor.id:
        raise NotFound("form_export")
    return export


async def out(db: AsyncSession, actor: Actor, export_id: int) -> ExportOut:
    return _shape(await get(db, actor, export_id))


def filename(export: FormExport, campaign_name: str) -> str:
    span = str(export.start) if export.start == export.end else f"{export.start}_{export.end}"
    return f"{campaign_name}-{span}.{export.format}"


async def _columns(db: AsyncSession, campaign: FormCampaign) -> list[Any]:
    """The questions to export, in the newest version's order, then those only older versions
    asked (a template changed during the range), sections left out."""
    template = await db.get(FormTemplate, campaign.template_id)
    assert template is not None
    versions: list[dict[str, Any]] = list(
        (
            await db.execute(
                select(FormVersion.definition)
                .where(FormVersion.template_id == template.id)
                .order_by(FormVersion.number.desc())
            )
        ).scalars()
    )
    seen: dict[str, Any] = {}
    for definition in versions:
        for f in FormDefinition.model_validate(definition).fields:
            if f.kind != "section" and f.key not in seen:
                seen[f.key] = f
    return list(seen.values())


def _cells(columns: Sequence[Any], locale: str, names: dict[int, str]) -> list[Any]:
    """For each question, the function that turns its stored answer into a cell: options in
    words (worked out once per export, not per row), a place by its address, a photo or file
    by its name and link (`names`: filled in chunk by chunk)."""

    def choice(labels: dict[str, str]) -> Any:
        def cell(value: Any) -> Any:
            values = value if isinstance(value, list) else [value]
            return "、".join(labels.get(v, str(v)) for v in values)

        return cell

    def place(value: Any) -> Any:
        return value.get("address") or f"{value.get('lat')},{value.get('lng')}"

    out: list[Any] = []
    for f in columns:
        if f.kind in CHOICES:
            out.append(choice({o.value: label_text(o.label, locale) for o in f.options}))
        elif f.kind == "location":
            out.append(place)
        elif f.kind == "file":
            out.append(file_cell(names))
        else:
            out.append(None)
    return out


async def make(db: AsyncSession, export_id: int, files: Storage, now: datetime) -> None:
    """Writes the export's file and stores it (the request for a small one; the job for a
    large one). Rows are read in chunks and written in a thread: memory stays flat."""
    export = await db.get(FormExport, export_id)
    if export is None or export.state == "done":
        return
    campaign = await db.get(FormCampaign, export.campaign_id)
    unit = await db.get(Unit, export.unit_id)
    if campaign is None or unit is None:
        return
    columns = await _columns(db, campaign)
    keys = [f.key for f in columns]
    uploaded: dict[int, str] = {}
    cells = _cells(columns, export.locale, uploaded)
    file_keys = [f.key for f in columns if f.kind == "file"]
    loc = export.locale
    yes, no = t("form_yes", loc), t("form_no", loc)
    header = [
        t("form_col_day", loc),
        t("form_col_unit", loc),
        t("form_col_name", loc),
        t("form_col_student_number", loc),
        t("form_col_filler", loc),
        t("form_col_submitted_at", loc),
        t("form_col_late", loc),
        t("form_col_abnormal", loc),
        t("form_col_reasons", loc),
        *[label_text(f.label, loc) for f in columns],
    ]
    family = select(FormCampaign.id).where(
        func.coalesce(FormCampaign.root_id, FormCampaign.id) == root_of(campaign)
    )
    filler = Person.__table__.alias("filler")
    stmt = (
        select(
            FormSubmission.period,
            Unit.path,
            Person.name,
            Person.student_number,
            filler.c.name,
            FormSubmission.submitted_at,
            FormSubmission.late,
            FormSubmission.abnormal,
            FormSubmission.reasons,
            FormSubmission.answers,
        )
        .join(Person, Person.id == FormSubmission.subject_id)
        .join(Unit, Unit.id == FormSubmission.unit_id)
        .outerjoin(filler, filler.c.id == FormSubmission.filler_id)
        .where(
            FormSubmission.campaign_id.in_(family),
            FormSubmission.period >= export.start,
            FormSubmission.period <= export.end,
            under(Unit.path, unit.path),
        )
        .order_by(FormSubmission.period, Unit.path, Person.sort_key, Person.id)
        .execution_options(yield_per=CHUNK)
    )
    tz = zone(campaign.time_zone)
    names: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="bellwork-export-") as tmp:
        path = Path(tmp) / f"export.{export.format}"
        writer = _Writer(path, export.format, header)
        count = 0
        result = await db.stream(stmt)
        async for chunk in result.partitions(CHUNK):
            paths = [r[1] for r in chunk if r[1] not in names]
            if paths:
                along = await path_names(db, paths)
                names.update({p: " / ".join(along[p][1:] or along[p]) for p in paths})
            ids = [i for r in chunk for k in file_keys for i in ((r[9] or {}).get(k) or [])]
            uploaded.clear()
            if ids:
                uploaded.update(await file_names(db, ids))
            lines = [
                [
                    str(r[0]),
                    names.get(r[1], ""),
                    r[2],
                    r[3] or "",
                    r[4] or "",
                    r[5].astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                    yes if r[6] else no,
                    yes if r[7] else no,
                    "；".join(label_text(x, loc) for x in (r[8] or [])),
                    *_answers(r[9] or {}, keys, cells),
                ]
                for r in chunk
            ]
            await asyncio.to_thread(writer.write, lines)
            count += len(lines)
        data = await asyncio.to_thread(writer.finish)
    key = new_key() + f".{export.format}"
    await files.put(key, data)
    export.file_key = key
    export.rows = count
    export.state = "done"
    export.finished_at = now
    export.expires_at = now + KEEP
    await enqueue(
        db, EXPIRE, {"export": export.id}, run_at=export.expires_at, key=f"{EXPIRE}:{export.id}"
    )
    if export.requested_by is not None:
        live.export_ready(db, export.id, export.requested_by)


def _answers(answers: dict[str, Any], keys: Sequence[str], cells: Sequence[Any]) -> list[Any]:
    row: list[Any] = []
    for key, cell in zip(keys, cells, strict=True):
        value = answers.get(key)
        row.append("" if value is None else (cell(value) if cell is not None else value))
    return row


class _Writer:
    """Rows to an XLSX file (XlsxWriter in constant-memory mode: each row goes to disk as it
    is written; about twice as fast as openpyxl's write-only mode, which matters at 100,000
    rows) or a CSV file (UTF-8 with a byte-order mark, so Excel opens Chinese text right)."""

    def __init__(self, path: Path, fmt: str, header: Sequence[str]) -> None:
        self.path = path
        self.fmt = fmt
        self.row = 0
        if fmt == "xlsx":
            self.wb = xlsxwriter.Workbook(
                str(path), {"constant_memory": True, **XLSXWRITER_OPTIONS}
            )
            self.ws = self.wb.add_worksheet()
            self.ws.freeze_panes(1, 0)
            self.ws.write_row(0, 0, header, self.wb.add_format({"bold": True}))
            self.row = 1
        else:
            self.fh = path.open("w", encoding="utf-8-sig", newline="")
            self.csv = csv.writer(self.fh)
            self.csv.writerow(header)

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        if self.fmt == "xlsx":
            for row in rows:
                self.ws.write_row(self.row, 0, row)
                self.row += 1
        else:
            self.csv.writerows([csv_text(v) for v in row] for row in rows)

    def finish(self) -> bytes:
        if self.fmt == "xlsx":
            self.wb.close()
        else:
            self.fh.close()
        return self.path.read_bytes()


async def expire(db: AsyncSession, export_id: int, files: Storage) -> None:
    """The `forms.export_expire` job: a day after it was made, the file goes (and the export
    row with it)."""
    export = await db.get(FormExport, export_id)
    if export is None:
        return
    if export.file_key:
        await files.delete(export.file_key)
    await db.delete(export)


async def fail(db: AsyncSession, export_id: int, error: str) -> None:
    export = await db.get(FormExport, export_id)
    if export is not None and export.state != "done":
        export.state = "failed"
        export.error = error[:1000]
