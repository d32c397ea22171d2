"""Periodic clean-up: burns opened private messages when their time is up, and shreds key files
that belong to no message or file (chat/sealing.py).

The sweeper sleeps until the next burn deadline: the earliest one in the database (so a
restarted node resumes the countdowns) or one announced on the bus when someone opens a private
message on any node (`emit(..., due=...)`, heard through `Hub.due_listeners`). An idle server
does no work; a check every `fallback` seconds covers what no event announced (a deadline
changed by hand, a bus message lost while a node was down).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from datetime import datetime
from typing import Any

from bellwork.chat.service import burn_expired, next_burn_at, sweep_orphan_keys
from bellwork.db.engine import scrub_sqlite
from bellwork.db.session import unit_of_work, writing

log = logging.getLogger("bellwork.jobs")

ORPHAN_EVERY = 600.0  # seconds between two sweeps for orphaned keys
FALLBACK = 30.0  # seconds between checks when nothing is known to fall due sooner
RETRY = 5.0  # seconds before trying again after a failed run (e.g. the database was down)
MIN_SLEEP = 0.2  # a deadline another node is burning right now (rows it locked) is not a loop


class Alarm:
    """A wake-up time that announcements can only bring forward."""

    def __init__(self) -> None:
        self.at = math.inf
        self._moved = asyncio.Event()

    def ring_at(self, at: float) -> None:
        if at < self.at:
            self.at = at
            self._moved.set()

    async def sleep_until(self, deadline: float) -> None:
        """Sleeps until `deadline` or the alarm's time, whichever comes first (both are
        time.time() values), and at least MIN_SLEEP."""
        started = time.monotonic()
        while True:
            delay = min(deadline, self.at) - time.time()
            if delay <= 0:
                break
            self._moved.clear()
            try:
                await asyncio.wait_for(self._moved.wait(), delay)
            except TimeoutError:
                break
        rest = MIN_SLEEP - (time.monotonic() - started)
        if rest > 0:
            await asyncio.sleep(rest)


async def sweeper(app: Any, fallback: float = FALLBACK, orphan_every: float = ORPHAN_EVERY) -> None:
    """Burns what is due, then sleeps until the next deadline (or `fallback` seconds); every
    `orphan_every` seconds, shreds keys whose row never committed or is gone."""
    state = app.state
    alarm = Alarm()
    state.hub.due_listeners.append(alarm.ring_at)
    next_orphans = time.monotonic() + orphan_every
    try:
        while True:
            alarm.at = math.inf  # what is announced while we work below still counts
            deadline = time.time() + fallback
            try:
                nxt = await _run_once(state)
                if nxt is not None:
                    deadline = min(deadline, nxt.timestamp())
                if time.monotonic() >= next_orphans:
                    next_orphans = time.monotonic() + orphan_every
                    async with unit_of_work(state.sessionmaker) as db:
                        await sweep_orphan_keys(db, state.settings.data_dir)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("sweeper run failed; trying again in %.0f s", RETRY)
                deadline = time.time() + RETRY
            await alarm.sleep_until(deadline)
    finally:
        state.hub.due_listeners.remove(alarm.ring_at)


async def _run_once(state: Any) -> datetime | None:
    """Burns every message due now; returns when the next one falls due."""
    async with writing(state.sessionmaker, state.write_gate) as db:
        db.info["bus"] = state.bus
        db.info["data_dir"] = state.settings.data_dir
        burned = await burn_expired(db, state.settings.data_dir)
        nxt = await next_burn_at(db)
    if burned and state.settings.is_sqlite:
        await scrub_sqlite(state.engine)
    return nxt
