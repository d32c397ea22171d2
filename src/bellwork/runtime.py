"""The one runtime object: what a process shares with the code it runs (DESIGN.md, "One
runtime object").

`bellwork serve` builds one in the app's lifespan (app.state.runtime), `bellwork worker` builds
one without HTTP, and tests and benchmarks build their own. Code receives it explicitly: a job
handler in its `JobContext`, a session made by `runtime.sessionmaker` as `session.runtime`
(`jobs.enqueue` refuses a session that has none).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bellwork.bus import Bus, Handler, make_bus
from bellwork.config import Settings
from bellwork.core.alarm import Alarm
from bellwork.db.engine import make_engine
from bellwork.files import Storage, open_storage
from bellwork.media.pool import MediaPool

if TYPE_CHECKING:
    from bellwork.jobs.runner import Runner


class RuntimeSession(AsyncSession):
    """A session made by a runtime's sessionmaker; it knows that runtime."""

    def __init__(self, *args: Any, runtime: Runtime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.runtime = runtime


class NoRuntime(RuntimeError):
    """Work that needs the runtime (enqueueing a job) was given a session without one."""


def has_runtime(session: AsyncSession) -> bool:
    return isinstance(session, RuntimeSession) and session.runtime is not None


def runtime_of(session: AsyncSession) -> Runtime:
    found = session.runtime if isinstance(session, RuntimeSession) else None
    if found is None:
        raise NoRuntime("this session was not made by a Runtime's sessionmaker")
    return found


@dataclass(eq=False)
class Runtime:
    settings: Settings
    engine: AsyncEngine
    bus: Bus
    # SQLite has one writer at a time: this process's writers queue here (None on PostgreSQL).
    write_gate: asyncio.Lock | None
    # Stored files of every domain: the data folder's files/, or an S3-compatible bucket.
    files: Storage
    # The Janus servers rooms are placed on (media/), and `bellwork serve`'s own Janus.
    media: MediaPool
    # Sessions of this runtime (RuntimeSession): the request's, a job's, a test's.
    sessionmaker: async_sessionmaker[AsyncSession] = field(init=False)
    # Rung with a job's run_at when this process enqueues one, so its runner need not poll.
    jobs_due: Alarm = field(default_factory=Alarm)
    runner: Runner | None = None
    # Whether anyone hears this process's events: its own hub (`on_event`), or other nodes
    # through Redis. The demo loader and command-line tools on the embedded default have none.
    listening: bool = False

    @property
    def has_audience(self) -> bool:
        return self.listening or bool(self.settings.redis_url)

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    @classmethod
    async def open(
        cls, settings: Settings, *, on_event: Handler | None = None, **engine_args: Any
    ) -> Runtime:
        """Connects what the settings name. `on_event` receives every event of the bus (the
        realtime hub); without one, this process only publishes (a worker)."""
        from bellwork.jobs.registry import load_handlers
        from bellwork.wiring import wire

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        load_handlers(settings.jobs_modules)
        wire()
        engine = make_engine(settings.effective_database_url, **engine_args)
        bus = make_bus(settings.redis_url, settings.redis_channel)
        runtime = cls(
            settings=settings,
            engine=engine,
            bus=bus,
            write_gate=asyncio.Lock() if settings.is_sqlite else None,
            files=open_storage(settings),
            media=MediaPool(settings),
        )
        made: Any = async_sessionmaker(
            engine, class_=RuntimeSession, expire_on_commit=False, autoflush=True, runtime=runtime
        )
        runtime.sessionmaker = made
        if on_event is not None:
            runtime.listening = True
            await bus.start(on_event)
        return runtime

    async def close(self) -> None:
        if self.runner is not None:
            await self.runner.stop()
            self.runner = None
        await self.media.close()
        await self.bus.close()
        await self.files.close()
        await self.engine.dispose()


@asynccontextmanager
async def opened(settings: Settings) -> AsyncIterator[Runtime]:
    """A runtime for a command that runs and ends (the demo loader, `bellwork import`)."""
    runtime = await Runtime.open(settings)
    try:
        yield runtime
    finally:
        await runtime.close()
