"""The delivery log on the workbench, for installation admins, with the number of failed
deliveries: someone did not get a code or an alert."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.delivery.models import FAILED, Delivery
from bellwork.org.access import Scope
from bellwork.workbench.registry import Section, Tile, admins


async def _failed(db: AsyncSession, scope: Scope) -> int:
    n = await db.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == FAILED))
    return int(n or 0)


TILES = [Tile("delivery.log", Section.admin, "/deliveries", visible=admins, count=_failed)]
