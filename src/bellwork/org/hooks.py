"""Listeners told when the people of some units changed (memberships added or removed).

Chat registers one to keep unit groups (a class's home-school group) in step with the roster.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterable

from sqlalchemy.ext.asyncio import AsyncSession

RosterListener = Callable[[AsyncSession, set[int]], Awaitable[None]]
_listeners: list[RosterListener] = []
# Modules that register listeners, imported before the first notice so that every entry point
# (the app, `bellwork import`, the demo loader) has them: org does not import chat.
LISTENER_MODULES = ("bellwork.chat.groups",)
# The tables those listeners write when many memberships change at once (a unit group's
# members), analysed with org's own after a bulk import (org/importer/apply.py).
ROSTER_LISTENER_TABLES = ("conversation", "conversation_member")


def on_roster_change(fn: RosterListener) -> RosterListener:
    if fn not in _listeners:
        _listeners.append(fn)
    return fn


async def roster_changed(db: AsyncSession, unit_ids: Iterable[int]) -> None:
    ids = {u for u in unit_ids if u and u > 0}
    if not ids:
        return
    for module in LISTENER_MODULES:
        importlib.import_module(module)  # registers its listeners (once: modules are cached)
    await db.flush()
    for fn in _listeners:
        await fn(db, ids)
