"""Unit settings, inherited down the tree: the nearest unit (itself, then its parent, and so
on up) that sets one wins (DESIGN.md, "Domain model")."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.org.models import Membership, Unit

DEFAULT_TIME_ZONE = "Asia/Shanghai"
log = logging.getLogger("bellwork.org")


async def unit_setting(db: AsyncSession, unit_id: int, name: str) -> Any | None:
    """The value of setting `name` for the unit: its own, or the nearest ancestor's."""
    path = (await db.execute(select(Unit.path).where(Unit.id == unit_id))).scalar_one_or_none()
    if path is None:
        return None
    ids = chain(path)
    found = await db.execute(select(Unit.id, Unit.settings).where(Unit.id.in_(ids)))
    rows: dict[int, dict[str, Any]] = {row[0]: row[1] for row in found.all()}
    for uid in reversed(ids):
        settings = rows.get(uid) or {}
        if name in settings:
            return settings[name]
    return None


async def person_setting(db: AsyncSession, person_id: int, name: str) -> tuple[int, Any] | None:
    """The setting `name` that applies to a person, and the unit that sets it: of the units the
    person belongs to, the one with the nearest unit setting it (itself, then its parent, and
    so on up) wins; at equal distance the deeper (more particular) unit, then the smaller id.
    (unit id, value), or None where no unit above any of theirs sets it. Two queries, however
    many units the person is in."""
    paths = (
        await db.execute(
            select(Unit.path)
            .join(Membership, Membership.unit_id == Unit.id)
            .where(Membership.person_id == person_id)
        )
    ).scalars()
    chains = {path: chain(path) for path in paths}
    ids = {uid for along in chains.values() for uid in along}
    if not ids:
        return None
    found = await db.execute(select(Unit.id, Unit.settings).where(Unit.id.in_(ids)))
    settings: dict[int, dict[str, Any]] = {row[0]: row[1] or {} for row in found.all()}
    best: tuple[int, int, int] | None = None  # (distance, -depth, unit id)
    for along in chains.values():
        for distance, uid in enumerate(reversed(along)):
            if name in settings.get(uid, {}):
                rank = (distance, -(len(along) - 1 - distance), uid)
                if best is None or rank < best:
                    best = rank
                break
    return None if best is None else (best[2], settings[best[2]][name])


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


def chain(path: str) -> list[int]:
    """The unit ids along a materialised path, the root first."""
    return [int(part) for part in path.strip("/").split("/") if part.isdigit()]


async def settings_along(db: AsyncSession, paths: Iterable[str]) -> dict[int, dict[str, Any]]:
    """The own settings of every unit along these paths (one query), by unit id."""
    ids = {uid for path in paths for uid in chain(path)}
    if not ids:
        return {}
    found = await db.execute(select(Unit.id, Unit.settings).where(Unit.id.in_(ids)))
    return {row[0]: row[1] or {} for row in found.all()}


def nearest(path: str, along: dict[int, dict[str, Any]], name: str) -> tuple[int, Any] | None:
    """(unit id, value) of the nearest unit at or above `path` that sets `name`."""
    for uid in reversed(chain(path)):
        if name in along.get(uid, {}):
            return uid, along[uid][name]
    return None
