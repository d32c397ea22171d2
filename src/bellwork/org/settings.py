"""Unit settings, inherited down the tree: the nearest unit (itself, then its parent, and so
on up) that sets one wins (DESIGN.md, "Domain model")."""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.org.models import Unit

DEFAULT_TIME_ZONE = "Asia/Shanghai"
log = logging.getLogger("bellwork.org")


async def unit_setting(db: AsyncSession, unit_id: int, name: str) -> Any | None:
    """The value of setting `name` for the unit: its own, or the nearest ancestor's."""
    path = (await db.execute(select(Unit.path).where(Unit.id == unit_id))).scalar_one_or_none()
    if path is None:
        return None
    ids = [int(part) for part in path.strip("/").split("/") if part.isdigit()]
    found = await db.execute(select(Unit.id, Unit.settings).where(Unit.id.in_(ids)))
    rows: dict[int, dict[str, Any]] = {row[0]: row[1] for row in found.all()}
    for uid in reversed(ids):
        settings = rows.get(uid) or {}
        if name in settings:
            return settings[name]
    return None


def zone(name: Any) -> ZoneInfo:
    """The named IANA time zone; the default one for a name that is not one."""
    if isinstance(name, str) and name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("unknown time zone %r; using %s", name, DEFAULT_TIME_ZONE)
    return ZoneInfo(DEFAULT_TIME_ZONE)


async def unit_time_zone(db: AsyncSession, unit_id: int) -> ZoneInfo:
    """The unit's time zone (setting `time_zone`, inherited), Asia/Shanghai by default."""
    return zone(await unit_setting(db, unit_id, "time_zone"))
