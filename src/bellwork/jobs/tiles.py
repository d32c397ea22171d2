"""Jobs on the workbench, for installation admins, with the number of dead jobs waiting for one
of them to look."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.jobs.queue import count_dead
from bellwork.org.access import Scope
from bellwork.workbench.registry import Section, Tile, admins


async def _dead(db: AsyncSession, scope: Scope) -> int:
    return await count_dead(db)


TILES = [Tile("jobs.queue", Section.admin, "/jobs", visible=admins, count=_dead)]
