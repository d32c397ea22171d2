"""Automatic reminders before the deadline (docs/reports.md, "Reminders").

The `reports.remind` job runs every 5 minutes. For each required template that reminds
(`remind_before` > 0) whose current period's deadline is within `remind_before` minutes, it
reminds — once per template and period (`ReportReminder`, unique) — everyone expected at the
template's unit who has not written it: `report.reminder` to their person topics, and with
`remind_by="ding"` a DING from the installation (`ding.service.send_system`, keyed by template
and period, so a job run again sends nothing twice)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.core.i18n import t
from bellwork.ding.service import send_system
from bellwork.forms.models import FormTemplate
from bellwork.org.models import Unit
from bellwork.org.settings import unit_time_zone
from bellwork.reports import live, periods
from bellwork.reports.models import Report, ReportReminder, ReportTemplate
from bellwork.reports.people import team_members

REMIND = "reports.remind"


async def missing(db: AsyncSession, rt: ReportTemplate, period: date) -> list[int]:
    """Who is expected to write it for the period and has not."""
    unit = await db.get(Unit, rt.unit_id)
    if unit is None:
        return []
    people = [p.id for p in await team_members(db, unit)]
    if not people:
        return []
    done = set(
        (
            await db.execute(
                select(Report.author_id).where(Report.template_id == rt.id, Report.period == period)
            )
        ).scalars()
    )
    return [p for p in people if p not in done]


async def remind_template(db: AsyncSession, rt: ReportTemplate, now: datetime) -> int | None:
    """Reminds those missing if the template's reminder is due now; how many were reminded
    (None when it was not due or already went)."""
    if not rt.required or rt.remind_before <= 0 or rt.archived_at is not None:
        return None
    tz = await unit_time_zone(db, rt.unit_id)
    period = periods.current(rt.period, now, tz)
    due = periods.deadline_at(rt.period, period, rt.deadline, tz)
    if not (due - timedelta(minutes=rt.remind_before) <= now < due):
        return None
    sent = ReportReminder(template_id=rt.id, period=period, created_at=now)
    try:
        async with db.begin_nested():
            db.add(sent)
            await db.flush()
    except IntegrityError:
        return None
    people = await missing(db, rt, period)
    sent.reached = len(people)
    ft = await db.get(FormTemplate, rt.form_template_id)
    name = ft.name if ft is not None else ""
    live.to_people(
        db,
        live.ReportReminder(template_id=rt.id, name=name, period=period, deadline_at=due),
        people,
    )
    if rt.remind_by == "ding" and people:
        await send_system(
            db,
            client_id=f"report-remind:{rt.id}:{period.isoformat()}",
            body=t("report_reminder_ding", name=name, deadline=due.strftime("%H:%M")),
            recipients=[(p, rt.unit_id) for p in people],
        )
    await db.flush()
    return len(people)


async def sweep(db: AsyncSession, now: datetime) -> int:
    """Every template's reminder that is due; how many people were reminded."""
    rows = (
        await db.execute(
            select(ReportTemplate).where(
                ReportTemplate.archived_at.is_(None),
                ReportTemplate.required.is_(True),
                ReportTemplate.remind_before > 0,
            )
        )
    ).scalars()
    total = 0
    for rt in list(rows):
        total += await remind_template(db, rt, now) or 0
    return total
