"""Keeping a crowd's bursts in bounds, in this process: `Pace` lets one key act at most `rate`
times a second (bursts of `burst`), `Later` tells a crowd at most once per `every` seconds while
the last word still arrives.

Both forget what they keep beyond `size` keys (oldest first). A client pinned to one app node
is held to the pace on that node; across several nodes each keeps its own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable

from bellwork.core.caches import kept_by_id

log = logging.getLogger(__name__)
_ALL: list[Pace | Later] = []


@kept_by_id
def forget_all() -> None:
    """Every pace and pending notice starts afresh (keyed by ids: core/caches)."""
    for kept in _ALL:
        kept.forget()


class Pace:
    """A token bucket per key: `allow(key)` spends a token if there is one."""

    def __init__(self, rate: float, burst: int, size: int = 100_000) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.size = size
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()
        _ALL.append(self)

    def allow(self, key: Hashable, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        tokens, at = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self.size:
            self._buckets.popitem(last=False)
        return allowed

    def forget(self) -> None:
        self._buckets.clear()


class Later:
    """`tell(key, say)` runs `say()` now if nothing was said for `key` in the last `every`
    seconds, otherwise once when that time is up (one pending run per key, which says the
    latest): a thousand likes a second reach a lesson's watchers once a second."""

    def __init__(self, every: float, size: int = 100_000) -> None:
        self.every = every
        self.size = size
        self._said: OrderedDict[Hashable, float] = OrderedDict()
        self._pending: dict[Hashable, asyncio.Task[None]] = {}
        _ALL.append(self)

    def now(self, key: Hashable) -> bool:
        """Whether to say it at once (and it counts as said): otherwise call `later`."""
        now = time.monotonic()
        last = self._said.get(key)
        if key in self._pending or (last is not None and now - last < self.every):
            return False
        self._said.pop(key, None)
        self._said[key] = now
        while len(self._said) > self.size:
            self._said.popitem(last=False)
        return True

    def later(self, key: Hashable, say: Callable[[], Awaitable[None]]) -> None:
        """Says it when `every` has passed since it was last said (once, however often asked)."""
        if key in self._pending:
            return
        wait = max(0.0, self._said.get(key, 0.0) + self.every - time.monotonic())

        async def run() -> None:
            try:
                await asyncio.sleep(wait)
                self._said.pop(key, None)
                self._said[key] = time.monotonic()
                await say()
            except asyncio.CancelledError:
                raise
            except Exception:  # the next one says it again; this must not pass silently
                log.exception("a deferred notice for %r failed", key)
            finally:
                self._pending.pop(key, None)

        self._pending[key] = asyncio.get_running_loop().create_task(run())

    def forget(self) -> None:
        for task in self._pending.values():
            task.cancel()
        self._pending.clear()
        self._said.clear()
