"""Live lessons on the workbench (bellwork/tiles.py): the lessons page, with the count of
lessons live now that one may join."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.lessons.models import Lesson
from bellwork.lessons.service import reach
from bellwork.org.access import Scope
from bellwork.workbench.registry import Section, Tile


async def _live(db: AsyncSession, scope: Scope) -> int:
    found = await db.scalar(
        select(func.count()).select_from(Lesson).where(Lesson.state == "live", reach(scope))
    )
    return int(found or 0)


def _in_a_unit(scope: Scope) -> bool:
    """Without a query: someone in no unit at all (and not an admin) has no lessons."""
    return scope.admin or bool(scope.head_paths or scope.member_units or scope.guardian_units)


TILES = [Tile("lessons.live", Section.tools, "/lessons", visible=_in_a_unit, count=_live)]
