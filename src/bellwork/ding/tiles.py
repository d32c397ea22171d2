"""DING on the workbench: for those who may send one, with the number of their DINGs someone
has not confirmed yet."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.ding.service import count_waiting, may_send
from bellwork.org.access import Scope
from bellwork.workbench.registry import Section, Tile


async def _waiting(db: AsyncSession, scope: Scope) -> int:
    return await count_waiting(db, scope.person_id)


TILES = [Tile("ding.sent", Section.tools, "/ding", visible=may_send, count=_waiting)]
