"""Which code runs each kind of job, and which recurring jobs the code declares.

Each domain registers its handlers in its own `jobs.py` (e.g. `chat/jobs.py`):

    @handler("chat.burn", max_attempts=20)
    async def burn(job: JobContext) -> None: ...

    recurring("chat.sweep", "chat.sweep", Every(600))

`load_handlers` imports those modules (and the operator's `BELLWORK_JOBS_MODULES`); the runtime
calls it at start, so every process that enqueues or runs jobs knows the same kinds.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bellwork.jobs.schedules import Rule
    from bellwork.runtime import Runtime

# The domains that own job handlers; add yours here.
DOMAIN_MODULES = (
    "bellwork.jobs.builtin",
    "bellwork.approvals.jobs",
    "bellwork.chat.jobs",
    "bellwork.delivery.jobs",
    "bellwork.ding.jobs",
    "bellwork.forms.jobs",
    "bellwork.lessons.jobs",
    "bellwork.notices.jobs",
    "bellwork.push.jobs",
    "bellwork.reports.jobs",
    "bellwork.calls.jobs",
    "bellwork.meetings.jobs",
)


@dataclass
class JobContext:
    """What a handler gets: its job, and the session of the transaction it runs in (which
    also marks the job done: what the handler writes commits with that, or not at all)."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempt: int
    db: AsyncSession
    runtime: Runtime
    now: datetime  # the runner's clock when the job started (fixed in tests)


Handler = Callable[[JobContext], Awaitable[None]]


@dataclass(frozen=True)
class Kind:
    name: str
    run: Handler
    max_attempts: int = 10
    backoff: float = 2.0  # seconds before the second attempt; doubles with each failure
    timeout: float | None = None  # None: the runner's default (BELLWORK_JOBS_TIMEOUT_SECONDS)


@dataclass(frozen=True)
class Recurring:
    name: str
    kind: str
    rule: Rule
    payload: dict[str, Any] = field(default_factory=dict)


class UnknownJob(LookupError):
    """A kind no handler is registered for (a typo, or a module not in DOMAIN_MODULES)."""


_KINDS: dict[str, Kind] = {}
_RECURRING: dict[str, Recurring] = {}


def handler(
    kind: str, *, max_attempts: int = 10, backoff: float = 2.0, timeout: float | None = None
) -> Callable[[Handler], Handler]:
    """Registers the decorated coroutine as the handler of `kind`."""
    if not 0 < len(kind) <= 100:
        raise ValueError("a job kind has 1 to 100 characters")
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")

    def register(fn: Handler) -> Handler:
        known = _KINDS.get(kind)
        if known is not None and _where(known.run) != _where(fn):  # not a module reloaded
            raise ValueError(f"job kind {kind!r} already has a handler")
        _KINDS[kind] = Kind(kind, fn, max_attempts, backoff, timeout)
        return fn

    return register


def _where(fn: Handler) -> tuple[str, str]:
    return fn.__module__, fn.__qualname__


def recurring(name: str, kind: str, rule: Rule, payload: dict[str, Any] | None = None) -> None:
    """Declares a schedule the code owns: every runner makes sure it exists as declared."""
    _RECURRING[name] = Recurring(name, kind, rule, payload or {})


def kind_of(name: str) -> Kind:
    found = _KINDS.get(name)
    if found is None:
        raise UnknownJob(f"no handler is registered for job kind {name!r}")
    return found


def kinds() -> list[str]:
    return sorted(_KINDS)


def declared_schedules() -> list[Recurring]:
    return list(_RECURRING.values())


def load_handlers(extra: str = "") -> None:
    """Imports the modules that register handlers: the domains' and `extra` (comma-separated,
    BELLWORK_JOBS_MODULES)."""
    for module in (*DOMAIN_MODULES, *filter(None, (m.strip() for m in extra.split(",")))):
        importlib.import_module(module)
