"""Periodic clean-up: burns opened private messages whose time is up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy import text

from bellwork.chat.service import burn_expired
from bellwork.db.session import writing

log = logging.getLogger("bellwork.jobs")


async def sweeper(app: Any, interval: float = 1.0) -> None:
    """Every `interval` seconds, delete expired private messages (and their files)."""
    state = app.state
    while True:
        await asyncio.sleep(interval)
        try:
            async with writing(state.sessionmaker, state.write_gate) as db:
                db.info["bus"] = state.bus
                burned = await burn_expired(db, state.settings.data_dir)
            if burned and state.settings.is_sqlite:
                await scrub_sqlite(state.engine)
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
