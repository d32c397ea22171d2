"""A DING's delivery report (docs/ding.md, "Delivery report"): per recipient and channel, what
became of it — the card in the app (sent, confirmed), and every text message, email and voice
call queued for it (queued, sent, delivered, in the outbox, failed with the provider's
reason), with the escalation step that sent it — and the same as an XLSX workbook.

The deliveries are found by the DING they name (`Delivery.ding_id`, indexed with the person):
two queries for the whole report, however many recipients. The workbook is written by
openpyxl's write-only mode in a thread, into a temporary file streamed to the client.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import datetime, tzinfo
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat.shaping import person_refs
from bellwork.core.errors import NotFound
from bellwork.core.sheets import plain, text_cell
from bellwork.delivery.models import Delivery
from bellwork.ding.models import Ding, DingMessage
from bellwork.ding.schemas import DingReport, ReportEntry, ReportRow
from bellwork.org.settings import person_setting, zone
from bellwork.org.units import unit_labels

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024
FALLBACK = "ding_fallback"


async def _own(db: AsyncSession, actor: Actor, ding_id: int) -> DingMessage:
    msg = await db.get(DingMessage, ding_id)
    if msg is None or msg.sender_id != actor.id:
        raise NotFound("ding")
    return msg


async def build(db: AsyncSession, actor: Actor, ding_id: int) -> DingReport:
    msg = await _own(db, actor, ding_id)
    recipients = list(
        await db.execute(
            select(Ding.recipient_id, Ding.unit_id, Ding.confirmed_at, Ding.escalation_step)
            .where(Ding.message_id == msg.id)
            .order_by(Ding.id)
        )
    )
    deliveries: dict[int, list[Delivery]] = defaultdict(list)
    for d in (
        await db.execute(select(Delivery).where(Delivery.ding_id == msg.id).order_by(Delivery.id))
    ).scalars():
        if d.person_id is not None:
            deliveries[d.person_id].append(d)
    refs = await person_refs(db, {r[0] for r in recipients})
    unit_ids = {r[1] for r in recipients if r[1] is not None}
    names = await unit_labels(db, unit_ids)  # "一年级 / 1班": two schools' 1班 stay apart
    rows: list[ReportRow] = []
    confirmed = 0
    for pid, uid, confirmed_at, step in recipients:
        ref = refs.get(pid)
        if ref is None:
            continue
        confirmed += 1 if confirmed_at else 0
        app_status = "confirmed" if confirmed_at else ("sent" if msg.sent_at else "queued")
        entries = [
            ReportEntry(
                channel="app",
                status=app_status,
                reason=None,
                step=0,
                fallback=False,
                created_at=msg.created_at,
                sent_at=msg.sent_at,
                delivered_at=confirmed_at,
            )
        ]
        for d in deliveries.get(pid, []):
            entries.append(
                ReportEntry(
                    channel=d.channel,
                    status=d.status,
                    reason=d.error if d.status in ("failed", "queued") else None,
                    step=d.ding_step or 0,
                    fallback=d.purpose == FALLBACK,
                    created_at=d.created_at,
                    sent_at=d.sent_at,
                    delivered_at=d.delivered_at,
                )
            )
        rows.append(
            ReportRow(
                person=ref,
                unit_name=names.get(uid) if uid is not None else None,
                confirmed_at=confirmed_at,
                escalation_step=step,
                entries=entries,
            )
        )
    return DingReport(
        id=msg.id,
        body=msg.body,
        sent_at=msg.sent_at,
        escalation=msg.escalation,
        total=len(rows),
        confirmed=confirmed,
        rows=rows,
    )


async def sender_zone(db: AsyncSession, person_id: int) -> tzinfo:
    """The time zone the workbook's times are in: the sender's organisation's (`time_zone`)."""
    found = await person_setting(db, person_id, "time_zone")
    return zone(found[1] if found is not None else None)


# --- the workbook ----------------------------------------------------------------------------

HEADINGS = {
    "zh-CN": ("姓名", "组织", "渠道", "状态", "原因", "升级步骤", "创建", "发出", "送达/确认"),
    "en": (
        "Name",
        "Unit",
        "Channel",
        "Status",
        "Reason",
        "Escalation step",
        "Created",
        "Sent",
        "Delivered / confirmed",
    ),
}
CHANNELS = {
    "zh-CN": {"app": "应用内", "sms": "短信", "email": "邮件", "voice": "语音电话"},
    "en": {"app": "In-app", "sms": "Text message", "email": "Email", "voice": "Voice call"},
}
STATUSES = {
    "zh-CN": {
        "queued": "排队中",
        "sent": "已发出",
        "delivered": "已送达",
        "outbox": "发件箱",
        "failed": "失败",
        "confirmed": "已确认",
    },
    "en": {
        "queued": "Queued",
        "sent": "Sent",
        "delivered": "Delivered",
        "outbox": "Outbox",
        "failed": "Failed",
        "confirmed": "Confirmed",
    },
}
WIDTHS = (14, 20, 12, 10, 36, 10, 18, 18, 18)


def _name(row: ReportRow, locale: str) -> str:
    p = row.person
    parent = getattr(p, "parent_of", None)
    if parent is not None:
        rel = getattr(parent, "relation", None) or ("家长" if locale != "en" else "guardian")
        return f"{p.name}（{parent.student_name}{rel}）"
    return p.name


def _local(at: datetime | None, tz: tzinfo) -> datetime | None:
    return at.astimezone(tz).replace(tzinfo=None) if at is not None else None


def write_workbook(report: DingReport, locale: str, tz: tzinfo, out: IO[bytes]) -> None:
    """The report as a workbook, one line per recipient and channel (runs in a thread)."""
    lang = "en" if locale == "en" else "zh-CN"
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("DING")
    for i, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    zone = getattr(tz, "key", str(tz))
    bold = Font(bold=True)
    title = text_cell(ws, report.body)
    title.font = bold
    ws.append([title])
    heads = []
    for i, h in enumerate(HEADINGS[lang]):
        cell = WriteOnlyCell(ws, value=f"{h} ({zone})" if i >= 6 else h)
        cell.font = bold
        heads.append(cell)
    ws.append(heads)
    for row in report.rows:
        for e in row.entries:
            cells: list[Any] = plain(
                ws,
                [
                    _name(row, lang),
                    row.unit_name or "",
                    CHANNELS[lang][e.channel] + (" ↩" if e.fallback else ""),
                    STATUSES[lang][e.status],
                    e.reason or "",
                    e.step,
                ],
            )
            for at in (e.created_at, e.sent_at, e.delivered_at):
                cell = WriteOnlyCell(ws, value=_local(at, tz))
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
                cells.append(cell)
            ws.append(cells)
    wb.save(out)


async def export(report: DingReport, locale: str, tz: tzinfo) -> AsyncIterator[bytes]:
    """The workbook's bytes, written in a thread into a temporary file (in memory up to 1 MB)
    and streamed from there; the file goes when the stream ends."""
    f = tempfile.SpooledTemporaryFile(max_size=2**20)  # noqa: SIM115 - closed below
    try:
        await asyncio.to_thread(write_workbook, report, locale, tz, f)
        f.seek(0)
        while chunk := await asyncio.to_thread(f.read, CHUNK):
            yield chunk
    finally:
        f.close()
