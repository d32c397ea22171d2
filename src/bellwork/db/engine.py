"""The async engine and session factory for the configured database."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

log = logging.getLogger("bellwork.db")


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            # Deleted content (burned private messages) is overwritten, not left in free pages.
            cur.execute("PRAGMA secure_delete=ON")
            cur.close()

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    # JIT compilation costs 10+ ms on plans it deems expensive and never pays off for the short
    # queries of a web request.
    kwargs.setdefault("connect_args", {"server_settings": {"jit": "off"}})
    return create_async_engine(url, **kwargs)


async def scrub_sqlite(engine: AsyncEngine) -> bool:
    """After deleting or overwriting content that must not survive (a recalled message, burned
    private messages), fold SQLite's WAL into the database and truncate it: the old text then
    survives in neither file (secure_delete zeroes what the new pages no longer hold). Waits
    for readers through the busy timeout. Returns whether the WAL could be emptied; logs why
    not. Nothing to do on other databases (returns False)."""
    if engine.dialect.name != "sqlite":
        return False
    try:
        async with engine.connect() as conn:
            busy, _frames, _done = (
                await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            ).one()
    except Exception:
        log.warning("WAL checkpoint failed; deleted text may stay in the WAL", exc_info=True)
        return False
    if busy:
        log.warning("WAL checkpoint could not finish (readers); deleted text may stay in the WAL")
    return not busy


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)
