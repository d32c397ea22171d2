"""The filtered audit log as an XLSX workbook, in the reader's language and time zone.

At most MAX_ROWS entries: beyond that the request is refused (422 `audit_export_too_large`)
and the reader narrows the filters — a workbook of every action of a city's year is not
something anyone reads, and building it would hold a core of the server for minutes. The
names are looked up on the event loop (a few queries); the words and the workbook are made in
a thread, so the server keeps answering meanwhile.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit import query
from bellwork.audit.models import AuditEntry
from bellwork.audit.present import Reader, present, resolve
from bellwork.audit.schemas import AuditOut, ChangeOut
from bellwork.core.errors import Invalid
from bellwork.core.sheets import plain

MAX_ROWS = 10_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADINGS = {
    "zh-CN": ("时间", "操作人", "操作", "对象", "变更", "IP 地址", "操作代码"),
    "en": ("Time", "By", "Action", "Target", "Changes", "IP address", "Action code"),
}
WIDTHS = (20, 16, 22, 24, 60, 16, 22)


def change_line(c: ChangeOut) -> str:
    """`字段: 前 → 后`, or `字段: 值` for a side the action has not."""
    if c.before is not None and c.after is not None:
        return f"{c.label}: {c.before.text} → {c.after.text}"
    side = c.after if c.after is not None else c.before
    return f"{c.label}: {side.text if side is not None else '—'}"


def workbook(rows: Sequence[AuditOut], reader: Reader) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = reader.pick("审计日志", "Audit log")
    headings = HEADINGS["en" if reader.locale == "en" else "zh-CN"]
    zone = getattr(reader.tz, "key", str(reader.tz))
    ws.append([f"{headings[0]} ({zone})", *headings[1:]])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    system = reader.pick("系统", "System")
    for r in rows:
        ws.append(
            plain(
                ws,
                [
                    # A real date cell (Excel has no time zones: the reader's wall clock).
                    r.at.astimezone(reader.tz).replace(tzinfo=None),
                    r.actor.label if r.actor is not None else system,
                    r.action_label,
                    r.target.label,
                    "\n".join(change_line(c) for c in r.changes),
                    r.address or "",
                    r.action,
                ],
            )
        )
    for i, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    for (cell,) in ws.iter_rows(min_row=2, min_col=1, max_col=1):
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    for (cell,) in ws.iter_rows(min_row=2, min_col=5, max_col=5):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


async def export(db: AsyncSession, f: query.AuditFilter, reader: Reader) -> bytes:
    """The workbook of every entry matching `f` (newest first); 422 beyond MAX_ROWS."""
    if await query.count_upto(db, f, MAX_ROWS + 1) > MAX_ROWS:
        raise Invalid("audit_export_too_large", limit=f"{MAX_ROWS:,}")
    stmt = select(AuditEntry).where(*query.conditions(f)).order_by(AuditEntry.id.desc())
    entries = list((await db.execute(stmt.limit(MAX_ROWS))).scalars())
    names = await resolve(db, entries)
    return await asyncio.to_thread(lambda: workbook(present(entries, names, reader), reader))
