"""Listeners told when a provider reported what became of a delivery (delivered, or not:
a call nobody answered). DING registers one to send a text message instead of a call that was
not answered (ding/escalation.py); delivery does not import the domains that use it."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.delivery.models import Delivery

OutcomeListener = Callable[[AsyncSession, Delivery, datetime], Awaitable[None]]
_listeners: list[OutcomeListener] = []
# Modules that register listeners, imported before the first outcome is told (every process
# that runs jobs has them, whatever it imported first).
LISTENER_MODULES = ("bellwork.ding.escalation",)


def on_outcome(fn: OutcomeListener) -> OutcomeListener:
    if fn not in _listeners:
        _listeners.append(fn)
    return fn


async def outcome_reported(db: AsyncSession, delivery: Delivery, now: datetime) -> None:
    for module in LISTENER_MODULES:
        importlib.import_module(module)
    for fn in _listeners:
        await fn(db, delivery, now)
