"""Listeners told when the people of some units changed (memberships added or removed).

Chat registers one to keep unit groups (a class's home-school group) in step with the roster.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from sqlalchemy.ext.asyncio import AsyncSession

RosterListener = Callable[[AsyncSession, set[int]], Awaitable[None]]
_listeners: list[RosterListener] = []


def on_roster_change(fn: RosterListener) -> RosterListener:
    if fn not in _listeners:
        _listeners.append(fn)
    return fn


async def roster_changed(db: AsyncSession, unit_ids: Iterable[int]) -> None:
    ids = {u for u in unit_ids if u and u > 0}
    if not ids:
        return
    await db.flush()
    for fn in _listeners:
        await fn(db, ids)
