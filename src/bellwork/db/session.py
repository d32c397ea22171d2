"""Request-scoped unit of work: one session per request, committed or rolled back by its owner.

Services never commit. They call `on_commit(session, fn)` for work that must happen only once the
transaction is durable (events to clients, jobs); `UnitOfWork` runs those after a successful commit
and drops them on rollback.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

AfterCommit = Callable[[], Awaitable[None]]
_KEY = "bellwork_after_commit"
_GATE = "bellwork_gate"


def on_commit(session: AsyncSession, fn: AfterCommit) -> None:
    session.info.setdefault(_KEY, []).append(fn)


@asynccontextmanager
async def unit_of_work(
    factory: async_sessionmaker[AsyncSession], gate: asyncio.Lock | None = None
) -> AsyncIterator[AsyncSession]:
    """A session whose transaction commits when the block ends (rolls back on error); the
    after-commit work runs once the transaction, and the `gate` if any, are released."""
    async with factory() as session:
        if gate is not None:
            await gate.acquire()
            session.info[_GATE] = gate
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            session.info.pop(_KEY, None)
            raise
        finally:
            _release_gate(session)
        for fn in session.info.pop(_KEY, []):
            await fn()


def _release_gate(session: AsyncSession) -> None:
    gate: asyncio.Lock | None = session.info.pop(_GATE, None)
    if gate is not None:
        gate.release()


async def done_with_database(session: AsyncSession) -> None:
    """Commits the unit of work now, gives its connection back to the pool and the write gate
    to the next writer, and runs its after-commit work: for a request whose rest waits on
    something else (Janus's answer to a signalling request) and would otherwise hold both
    while it waits — 500 students watching at once queued behind each other's Janus round
    trip. Only the code that owns the unit of work calls it (an API handler, never a
    service), and nothing may use the session after it."""
    await session.commit()
    _release_gate(session)
    for fn in session.info.pop(_KEY, []):
        await fn()


@asynccontextmanager
async def writing(
    factory: async_sessionmaker[AsyncSession], gate: asyncio.Lock | None
) -> AsyncIterator[AsyncSession]:
    """A unit of work that will write. On SQLite (one writer at a time) writers queue on the
    app's `gate` instead of spinning in SQLite's busy handler, whose sleeps grow to 100 ms."""
    async with unit_of_work(factory, gate) as session:
        yield session
