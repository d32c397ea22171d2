"""The burn sweeper sleeps until the next deadline instead of polling: it is woken by the
opening of a private message on any node, and on start it resumes deadlines kept in the
database."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from bellwork.chat.models import Conversation, Message
from bellwork.db.base import utcnow
from bellwork.jobs.sweeper import Alarm, sweeper
from tests.chat.conftest import cmid
from tests.conftest import World


async def private_message(world: World, school: dict[str, Any]) -> tuple[Any, Any, int, int]:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    conv = (
        await t.post(
            "/api/v1/conversations/direct",
            json={"person_id": school["p1"].id, "private": True, "burn_seconds": 10},
        )
    ).json()["id"]
    m = await t.post(
        f"/api/v1/conversations/{conv}/messages",
        json={"client_msg_id": cmid(), "body": "gone soon"},
    )
    assert m.status_code == 201, m.text
    return t, p1, conv, m.json()["seq"]


async def remaining(world: World, conv: int) -> int:
    async with world.app.state.sessionmaker() as db:
        n = (
            await db.execute(
                select(func.count()).select_from(Message).where(Message.conversation_id == conv)
            )
        ).scalar_one()
    return int(n)


async def gone_within(world: World, conv: int, seconds: float) -> float:
    started = time.monotonic()
    while await remaining(world, conv):
        assert time.monotonic() - started < seconds, "not burned in time"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def test_opening_wakes_the_sweeper_at_the_deadline(
    world: World, school: dict[str, Any]
) -> None:
    """The app's sweeper has nothing due and sleeps for its fallback (30 s); opening a message
    with a 1 s countdown (set in the row: the API allows 10 s at least) wakes it on time."""
    _t, p1, conv, seq = await private_message(world, school)
    async with world.app.state.sessionmaker() as db:
        await db.execute(update(Conversation).where(Conversation.id == conv).values(burn_seconds=1))
        await db.commit()
    opened = await p1.post(f"/api/v1/conversations/{conv}/messages/{seq}/open")
    assert opened.status_code == 200 and opened.json()["body"] == "gone soon"
    assert await remaining(world, conv) == 1  # not before its time
    took = await gone_within(world, conv, 5)
    assert 0.5 < took < 3


async def test_a_started_sweeper_resumes_deadlines_from_the_database(
    world: World, school: dict[str, Any]
) -> None:
    """After a restart nothing is announced: the deadline in the row is what counts."""
    _t, _p1, conv, seq = await private_message(world, school)
    async with world.app.state.sessionmaker() as db:
        await db.execute(
            update(Message)
            .where(Message.conversation_id == conv, Message.seq == seq)
            .values(opened_at=utcnow(), expires_at=utcnow() + timedelta(seconds=0.8))
        )
        await db.commit()
    second = asyncio.create_task(sweeper(world.app))  # as a node that just started
    try:
        await gone_within(world, conv, 5)
    finally:
        second.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await second
    assert len(world.app.state.hub.due_listeners) == 1  # the stopped one unhooked itself


async def test_alarm_sleeps_until_the_earliest_of_deadline_and_announcements() -> None:
    alarm = Alarm()
    t0 = time.monotonic()
    await alarm.sleep_until(time.time() + 0.3)
    assert 0.25 < time.monotonic() - t0 < 1

    alarm = Alarm()
    t0 = time.monotonic()
    sleeping = asyncio.create_task(alarm.sleep_until(time.time() + 30))
    await asyncio.sleep(0.05)
    alarm.ring_at(time.time() + 0.3)  # brought forward while asleep
    alarm.ring_at(time.time() + 10)  # a later one does not push it back
    await asyncio.wait_for(sleeping, 2)
    assert 0.3 < time.monotonic() - t0 < 1

    alarm = Alarm()
    t0 = time.monotonic()
    await alarm.sleep_until(time.time() - 5)  # already past: a short pause, not a busy loop
    assert time.monotonic() - t0 >= 0.19
