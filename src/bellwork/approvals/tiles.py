"""Approvals on the workbench (审批): the requests waiting for one's decision."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.approvals.requests import count_waiting
from bellwork.org.access import Scope
from bellwork.workbench.registry import Section, Tile


async def _waiting(db: AsyncSession, scope: Scope) -> int:
    return await count_waiting(db, scope.person_id)


def _could(scope: Scope) -> bool:
    """Anyone in a unit (guardians file student leave), and admins."""
    return scope.admin or bool(scope.head_paths or scope.member_units)


TILES = [Tile("approvals.inbox", Section.tools, "/approvals", visible=_could, count=_waiting)]
