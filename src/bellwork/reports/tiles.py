"""Reports on the workbench (汇报), for everyone who works in a unit (not students or
guardians): the received reports not read yet, plus one's own required daily reports not
written yet today (a few indexed rows: one's readers, one's units' templates, today's own
reports)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.db.base import utcnow
from bellwork.org.access import Scope
from bellwork.org.managers import working_units
from bellwork.org.settings import chain, unit_time_zone
from bellwork.reports import periods
from bellwork.reports.models import DAILY, Report, ReportTemplate
from bellwork.reports.writing import count_unread
from bellwork.workbench.registry import Section, Tile


async def due_today(db: AsyncSession, person_id: int) -> int:
    """One's required daily reports not written yet today (not those of a unit one heads)."""
    mine = await working_units(db, person_id)
    above = {x for _, path, _ in mine for x in chain(path)}
    if not above:
        return 0
    rows = list(
        (
            await db.execute(
                select(ReportTemplate).where(
                    ReportTemplate.unit_id.in_(above),
                    ReportTemplate.period == DAILY,
                    ReportTemplate.required.is_(True),
                    ReportTemplate.archived_at.is_(None),
                )
            )
        ).scalars()
    )
    waiting = 0
    now = utcnow()
    heads = {u for u, _, role in mine if role == "head"}
    for rt in rows:
        if rt.unit_id in heads:  # its heads are whom the team reports to
            continue
        day = periods.current(DAILY, now, await unit_time_zone(db, rt.unit_id))
        done = (
            await db.execute(
                select(Report.id).where(
                    Report.template_id == rt.id, Report.author_id == person_id, Report.period == day
                )
            )
        ).scalar()
        if done is None:
            waiting += 1
    return waiting


async def _waiting(db: AsyncSession, scope: Scope) -> int:
    return await count_unread(db, scope.person_id) + await due_today(db, scope.person_id)


def _could(scope: Scope) -> bool:
    """Without a query: someone in no unit at all (and not an admin) cannot."""
    return scope.admin or bool(scope.head_paths or scope.member_units)


async def _works(db: AsyncSession, scope: Scope) -> bool:
    """Admins, and those who work in a unit (not students or guardians only)."""
    return scope.admin or bool(await working_units(db, scope.person_id))


TILES = [
    Tile(
        "reports.inbox",
        Section.tools,
        "/reports",
        visible=_could,
        count=_waiting,
        allowed=_works,
    )
]
