"""core/pace.py: a person's bursts held to a pace, and a crowd told at most once per interval
with the last word still said."""

from __future__ import annotations

import asyncio

from bellwork.core.pace import Later, Pace


def test_a_burst_then_the_rate() -> None:
    pace = Pace(rate=2, burst=3)
    assert [pace.allow("a", now=0.0) for _ in range(4)] == [True, True, True, False]
    assert pace.allow("b", now=0.0)  # another key has its own bucket
    assert not pace.allow("a", now=0.4)  # 0.8 of a token back
    assert pace.allow("a", now=0.55)  # 1.1
    assert not pace.allow("a", now=0.6)
    assert [pace.allow("a", now=100.0) for _ in range(4)] == [True, True, True, False]


def test_it_forgets_the_oldest_keys_beyond_its_size() -> None:
    pace = Pace(rate=1, burst=1, size=2)
    assert pace.allow("a", now=0.0) and pace.allow("b", now=0.0) and pace.allow("c", now=0.0)
    assert pace.allow("a", now=0.0)  # forgotten: a full bucket again
    assert not pace.allow("c", now=0.0)


async def test_the_crowd_hears_once_per_interval_and_the_last_word_arrives() -> None:
    later = Later(every=0.2)
    said: list[int] = []
    count = 0

    async def say() -> None:
        said.append(count)

    for count in range(1, 51):  # fifty likes at once
        if later.now("lesson"):
            said.append(count)
        else:
            later.later("lesson", say)
    assert said == [1]  # at once, the first
    await asyncio.sleep(0.35)
    assert said == [1, 50]  # once more at the end of the interval, with the latest
    await asyncio.sleep(0.1)
    assert later.now("lesson")  # quiet for longer than the interval: at once again


async def test_forgetting_cancels_what_is_pending() -> None:
    later = Later(every=0.1)
    said: list[str] = []

    async def say() -> None:
        said.append("x")

    assert later.now("k")
    later.later("k", say)
    later.forget()
    await asyncio.sleep(0.2)
    assert said == []
