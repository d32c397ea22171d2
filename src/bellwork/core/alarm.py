"""A wake-up time that announcements can only bring forward (a job runner's sleep)."""

from __future__ import annotations

import asyncio
import math
import time

MIN_SLEEP = 0.01  # what is due now but taken by another runner is not a busy loop


class Alarm:
    """`ring_at(t)` (a time.time() value) wakes a sleeper at `t` if that is sooner than what it
    sleeps for; later times change nothing."""

    def __init__(self) -> None:
        self.at = math.inf
        self._moved = asyncio.Event()

    def ring_at(self, at: float) -> None:
        if at < self.at:
            self.at = at
            self._moved.set()

    def ring(self) -> None:
        self.ring_at(-math.inf)

    def reset(self) -> None:
        """Forgets what was announced: call it before looking at what is due, so that what is
        announced while one looks still wakes the next sleep."""
        self.at = math.inf

    async def sleep_until(self, deadline: float, min_sleep: float = MIN_SLEEP) -> None:
        """Sleeps until `deadline` or the alarm's time, whichever comes first (both are
        time.time() values), and at least `min_sleep`."""
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
        rest = min_sleep - (time.monotonic() - started)
        if rest > 0:
            await asyncio.sleep(rest)
