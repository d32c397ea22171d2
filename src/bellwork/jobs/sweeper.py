"""Periodic clean-up: burns opened private messages whose time is up, and shreds key files that
belong to no message or file (chat/sealing.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from sqlalchemy import text

from bellwork.chat.service import burn_expired, sweep_orphan_keys
from bellwork.db.session import unit_of_work, writing

log = logging.getLogger("bellwork.jobs")

ORPHAN_EVERY = 600.0  # seconds between two sweeps for orphaned keys


async def sweeper(app: Any, interval: float = 1.0, orphan_every: float = ORPHAN_EVERY) -> None:
    """Every `interval` seconds, delete expired private messages (their keys, files and rows);
    every `orphan_every` seconds, shred keys whose row never committed or is gone."""
    state = app.state
    next_orphans = time.monotonic() + orphan_every
    while True:
        await asyncio.sleep(interval)
        try:
            async with writing(state.sessionmaker, state.write_gate) as db:
                db.info["bus"] = state.bus
                db.info["data_dir"] = state.settings.data_dir
                burned = await burn_expired(db, state.settings.data_dir)
            if burned and state.settings.is_sqlite:
                await scrub_sqlite(state.engine)
            if time.monotonic() >= next_orphans:
                next_orphans = time.monotonic() + orphan_every
                async with unit_of_work(state.sessionmaker) as db:
                    await sweep_orphan_keys(db, state.settings.data_dir)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("sweeper run failed; trying again next interval")


async def scrub_sqlite(engine: Any) -> None:
    """After deleting burned messages on SQLite, fold the WAL into the database and truncate
    it, so the deleted text (zeroed by secure_delete) survives in neither file."""
    with contextlib.suppress(Exception):
        async with engine.connect() as conn:
            await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
