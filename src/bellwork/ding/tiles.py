"""DING on the workbench: for those who may send one (the unit setting `ding_senders`), with
the number of their DINGs someone has not confirmed yet."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.ding.audience import may_send
from bellwork.ding.service import count_waiting
from bellwork.org.access import Scope
from bellwork.workbench.registry import Section, Tile


async def _waiting(db: AsyncSession, scope: Scope) -> int:
    return await count_waiting(db, scope.person_id)


def _could(scope: Scope) -> bool:
    """Without a query: someone in no unit at all (and not an admin) cannot."""
    return scope.admin or bool(scope.head_paths or scope.member_units or scope.guardian_units)


TILES = [
    Tile("ding.sent", Section.tools, "/ding", visible=_could, count=_waiting, allowed=may_send)
]
