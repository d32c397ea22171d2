"""Notices on the workbench: everyone's inbox (公告, with how many are unread) and, for those
who may publish, their own notices (发公告)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.notices.reading import unread_count
from bellwork.notices.service import may_publish
from bellwork.org.access import Scope
from bellwork.workbench.registry import Section, Tile


async def _unread(db: AsyncSession, scope: Scope) -> int:
    return (await unread_count(db, scope.person_id)).unread


def _could(scope: Scope) -> bool:
    """Without a query: someone in no unit at all (and not an admin) cannot."""
    return scope.admin or bool(scope.head_paths or scope.member_units or scope.guardian_units)


TILES = [
    Tile("notices.inbox", Section.tools, "/notices", count=_unread),
    Tile("notices.sent", Section.tools, "/notices/sent", visible=_could, allowed=may_publish),
]
