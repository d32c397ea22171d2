"""A list of requests as an XLSX file (audited): what the list shows, filtered the same way,
one row per request, newest first (core/sheets.py keeps typed text text). Times are in the
exporter's organisation's time zone (unit setting `time_zone`, as DING's report), named in the
header."""

from __future__ import annotations

import asyncio
import io
from datetime import date, datetime, tzinfo
from typing import Any

import xlsxwriter
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.approvals.requests import listed_all
from bellwork.approvals.schemas import Box
from bellwork.audit import service as audit
from bellwork.core.i18n import t
from bellwork.core.sheets import XLSXWRITER_OPTIONS
from bellwork.org.access import Scope
from bellwork.org.settings import person_setting, zone

MAX_ROWS = 5000


async def exporter_zone(db: AsyncSession, person_id: int) -> tzinfo:
    """The time zone of the exporter's organisation (`time_zone`, Asia/Shanghai by default)."""
    found = await person_setting(db, person_id, "time_zone")
    return zone(found[1] if found is not None else None)


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
    box: Box,
    status: str | None,
    template_id: int | None,
    text: str | None,
    since: date | None,
    now: datetime,
) -> tuple[str, bytes]:
    listed = await listed_all(db, scope, box, status, template_id, text, since, MAX_ROWS)
    tz = await exporter_zone(db, scope.person_id)
    head = [
        t("approval_col_id"),
        t("approval_col_title"),
        t("approval_col_template"),
        t("approval_col_submitter"),
        t("approval_col_status"),
        t("approval_col_step"),
        f"{t('approval_col_created')} ({getattr(tz, 'key', str(tz))})",
    ]
    rows: list[list[Any]] = [head]
    for i in listed:
        rows.append(
            [
                i.id,
                i.title,
                i.template_name,
                i.submitter.name,
                t(f"approval_status_{i.status}"),
                i.current_step or "",
                i.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    await audit.record(
        db,
        scope.person_id,
        "approval.export",
        "approval_template",
        template_id,
        None,
        {"box": box, "people": len(listed)},
    )
    data = await asyncio.to_thread(_xlsx, rows)
    return f"approvals-{box}-{now.date().isoformat()}.xlsx", data
