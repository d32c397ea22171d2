"""Attendance shared by the domains that keep it (lessons, meetings): presence intervals made
into seconds, and the XLSX they export (docs/media.md, "Attendance").

A domain stores one row per interval a person was in (joined, left, last heartbeat); these
functions turn those rows into time: `stop_of` clips an interval that was never closed (a page
that vanished without leaving counts until `GRACE` after its last heartbeat, not until the end),
`union_seconds` adds up intervals with overlaps (two devices) counted once."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import xlsxwriter

from bellwork.core.sheets import XLSXWRITER_OPTIONS

# A page's heartbeat comes every 30 s: past this without one, it is taken as gone.
GRACE = timedelta(seconds=90)

Span = tuple[datetime, datetime]


def aware(d: datetime) -> datetime:
    """A stored time as UTC (SQLite gives them back naive)."""
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def stop_of(
    left_at: datetime | None, seen_at: datetime | None, ended_at: datetime | None, now: datetime
) -> datetime:
    """When an interval stopped counting: when it was closed, or (still open) when the whole
    thing ended or now; never later than `GRACE` past its last heartbeat."""
    stop = aware(left_at or ended_at or now)
    if seen_at is not None:
        stop = min(stop, aware(seen_at) + GRACE)
    return stop


def union_seconds(spans: Iterable[Span]) -> int:
    """Seconds covered by the intervals, overlaps counted once."""
    total = 0.0
    end: datetime | None = None
    for start, stop in sorted(spans):
        if end is not None and start < end:
            start = end
        if stop > start:
            total += (stop - start).total_seconds()
        end = stop if end is None else max(end, stop)
    return int(total)


def _workbook(
    sheet_name: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], widths: dict[int, int]
) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, **XLSXWRITER_OPTIONS})
    sheet = book.add_worksheet(sheet_name)
    sheet.write_row(0, 0, list(headers))
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, list(row))
    for col, width in widths.items():
        sheet.set_column(col, col, width)
    book.close()
    return out.getvalue()


async def xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "attendance",
    widths: dict[int, int] | None = None,
) -> bytes:
    """One sheet of rows under a header row, built in a thread (not in the event loop)."""
    return await asyncio.to_thread(_workbook, sheet, headers, list(rows), widths or {})
