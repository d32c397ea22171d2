"""A unit's month: per person the working days, present, late, early leave, missing
check-outs, absences, leave and field punches, the unit's totals, the list of exceptions
(each late, early, missing check-out or absent day), and the same as an XLSX workbook.

Who: the unit's heads (and those above it) and admins. Everyone who attends a unit in the
subtree (staff, teachers, students; not guardians, not the unit's deactivated accounts), each
under the rule that applies to them; days after today are not counted."""

from __future__ import annotations

import asyncio
import io
from calendar import monthrange
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

import xlsxwriter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.attendance import days
from bellwork.attendance.leave import leave_days
from bellwork.attendance.models import FIELD, AttendancePunch
from bellwork.attendance.rules import ATTENDING, require_manage, rule_for, rules_for
from bellwork.attendance.schemas import MonthException, MonthOut, MonthPerson, MyDay, MyMonthOut
from bellwork.audit import service as audit
from bellwork.core.errors import Invalid
from bellwork.core.i18n import t
from bellwork.core.sheets import XLSXWRITER_OPTIONS
from bellwork.org.access import Scope, access_unit
from bellwork.org.models import Membership, Person, Unit
from bellwork.org.search import prefix_end

BATCH = 500


def month_range(month: str) -> tuple[date, date]:
    try:
        y, m = (int(x) for x in month.split("-"))
        first = date(y, m, 1)
    except ValueError:
        raise Invalid("attendance_month_invalid") from None
    return first, date(y, m, monthrange(y, m)[1])


def _blank(pid: int, name: str) -> MonthPerson:
    return MonthPerson(
        id=pid,
        name=name,
        expected=0,
        present=0,
        late=0,
        early=0,
        no_out=0,
        absent=0,
        leave=0,
        field=0,
        late_minutes=0,
        early_minutes=0,
    )


async def _people(db: AsyncSession, unit: Unit) -> list[tuple[int, str]]:
    rows = await db.execute(
        select(Person.id, Person.name)
        .join(Membership, Membership.person_id == Person.id)
        .join(Unit, Unit.id == Membership.unit_id)
        .where(
            Unit.path >= unit.path,
            Unit.path < prefix_end(unit.path),
            Unit.archived_at.is_(None),
            Membership.role.in_(ATTENDING),
            Person.deactivated_at.is_(None),
        )
        .distinct()
    )
    return sorted(((int(i), str(n)) for i, n in rows.all()), key=lambda x: (x[1], x[0]))


async def month_view(
    db: AsyncSession, scope: Scope, unit_id: int, month: str, now: datetime
) -> MonthOut:
    first, last = month_range(month)
    unit = await access_unit(db, unit_id)
    require_manage(scope, unit)
    people = await _people(db, unit)
    ids = [i for i, _ in people]
    applied = await rules_for(db, ids)
    punches: dict[tuple[int, date], list[tuple[datetime, str]]] = defaultdict(list)
    for i in range(0, len(ids), BATCH):
        rows = await db.execute(
            select(
                AttendancePunch.person_id,
                AttendancePunch.day,
                AttendancePunch.at,
                AttendancePunch.source,
            ).where(
                AttendancePunch.person_id.in_(ids[i : i + BATCH]),
                AttendancePunch.day >= first,
                AttendancePunch.day <= last,
            )
        )
        for pid, day, at, source in rows.all():
            punches[(int(pid), day)].append((at, str(source)))
    leave = await leave_days(db, ids, first, last)
    out = MonthOut(
        unit_id=unit.id,
        unit_name=unit.name,
        month=first.strftime("%Y-%m"),
        people=[],
        totals=_blank(0, t("attendance_total")),
        exceptions=[],
    )
    for pid, name in people:
        row = _blank(pid, name)
        a = applied.get(pid)
        if a is None:
            out.people.append(row)
            continue
        shift = a.shift
        today = now.astimezone(a.tz).date()
        day = first
        while day <= min(last, today):
            got = punches.get((pid, day), [])
            d = days.compute_day(
                shift,
                day,
                [at for at, _ in got],
                a.tz,
                now,
                on_leave=(pid, day) in leave,
                field=any(s == FIELD for _, s in got),
            )
            day += timedelta(days=1)
            if d.status == days.REST:
                continue
            row.expected += 1
            row.present += 1 if d.first is not None and d.status != days.LEAVE else 0
            row.late += d.status in (days.LATE, days.LATE_EARLY)
            row.early += d.status in (days.EARLY, days.LATE_EARLY)
            row.no_out += d.status == days.NO_OUT
            row.absent += d.status == days.ABSENT
            row.leave += d.status == days.LEAVE
            row.field += d.field
            row.late_minutes += d.late_minutes
            row.early_minutes += d.early_minutes
            if d.status in days.EXCEPTIONS:
                out.exceptions.append(
                    MonthException(
                        person_id=pid,
                        name=name,
                        day=d.day,
                        status=d.status,
                        first=d.first,
                        last=d.last,
                    )
                )
        out.people.append(row)
    for key in (
        "expected",
        "present",
        "late",
        "early",
        "no_out",
        "absent",
        "leave",
        "field",
        "late_minutes",
        "early_minutes",
    ):
        setattr(out.totals, key, sum(getattr(p, key) for p in out.people))
    out.exceptions.sort(key=lambda e: (e.day, e.name, e.person_id))
    return out


async def my_month(db: AsyncSession, person_id: int, month: str, now: datetime) -> MyMonthOut:
    """One's own month under the rule that applies to one: every day up to today, and the
    later days on approved leave (a leave asked for and approved ahead shows at once)."""
    first, last = month_range(month)
    out = MyMonthOut(month=first.strftime("%Y-%m"), rule_name=None, days=[])
    a = await rule_for(db, person_id)
    if a is None:
        return out
    out.rule_name = a.rule.name
    rows = await db.execute(
        select(AttendancePunch.day, AttendancePunch.at, AttendancePunch.source).where(
            AttendancePunch.person_id == person_id,
            AttendancePunch.day >= first,
            AttendancePunch.day <= last,
        )
    )
    punches: dict[date, list[tuple[datetime, str]]] = defaultdict(list)
    for day, at, source in rows.all():
        punches[day].append((at, str(source)))
    leave = await leave_days(db, [person_id], first, last)
    today = now.astimezone(a.tz).date()
    day = first
    while day <= last:
        on_leave = (person_id, day) in leave
        if day <= today or on_leave:
            got = punches.get(day, [])
            d = days.compute_day(
                a.shift,
                day,
                [at for at, _ in got],
                a.tz,
                now,
                on_leave=on_leave,
                field=any(s == FIELD for _, s in got),
            )
            if day <= today or d.status == days.LEAVE:
                out.days.append(
                    MyDay(
                        day=day,
                        status=d.status,
                        first=d.first,
                        last=d.last,
                        late_minutes=d.late_minutes,
                        early_minutes=d.early_minutes,
                        field=d.field,
                    )
                )
        day += timedelta(days=1)
    return out


COLUMNS = (
    "expected",
    "present",
    "late",
    "early",
    "no_out",
    "absent",
    "leave",
    "field",
    "late_minutes",
    "early_minutes",
)


def _xlsx(summary: list[list[Any]], exceptions: list[list[Any]], names: tuple[str, str]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, **XLSXWRITER_OPTIONS})
    for title, rows in ((names[0], summary), (names[1], exceptions)):
        ws = wb.add_worksheet(title[:31])
        for i, row in enumerate(rows):
            ws.write_row(i, 0, row)
    wb.close()
    return buf.getvalue()


async def export(
    db: AsyncSession, scope: Scope, unit_id: int, month: str, now: datetime
) -> tuple[str, bytes]:
    """The month as a workbook: a summary sheet (a row per person and the totals) and the
    exceptions sheet (audited)."""
    view = await month_view(db, scope, unit_id, month, now)
    head = [t("attendance_col_name")] + [t(f"attendance_col_{c}") for c in COLUMNS]
    summary: list[list[Any]] = [head]
    for p in [*view.people, view.totals]:
        summary.append([p.name] + [getattr(p, c) for c in COLUMNS])
    exceptions: list[list[Any]] = [
        [
            t("attendance_col_name"),
            t("attendance_col_day"),
            t("attendance_col_status"),
            t("attendance_col_first"),
            t("attendance_col_last"),
        ]
    ]
    for e in view.exceptions:
        exceptions.append(
            [
                e.name,
                e.day.isoformat(),
                t(f"attendance_status_{e.status}"),
                e.first.strftime("%H:%M") if e.first else "",
                e.last.strftime("%H:%M") if e.last else "",
            ]
        )
    await audit.record(
        db,
        scope.person_id,
        "attendance.export",
        "unit",
        unit_id,
        None,
        {"period": view.month},
    )
    data = await asyncio.to_thread(
        _xlsx,
        summary,
        exceptions,
        (t("attendance_sheet_summary"), t("attendance_sheet_exceptions")),
    )
    return f"{view.unit_name}-{view.month}.xlsx", data
