"""Attendance on the workbench (考勤): 1 while one has not checked in on a working day under
the rule that applies to one, 0 once one has (or on a rest day, or on leave)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.attendance.punching import today
from bellwork.db.base import utcnow
from bellwork.org.access import Scope
from bellwork.workbench.registry import Section, Tile


async def _waiting(db: AsyncSession, scope: Scope) -> int:
    day = await today(db, scope.person_id, utcnow())
    return int(day.rule is not None and day.working and not day.punches and day.status != "leave")


def _could(scope: Scope) -> bool:
    return scope.admin or bool(scope.head_paths or scope.member_units)


TILES = [Tile("attendance.today", Section.tools, "/attendance", visible=_could, count=_waiting)]
