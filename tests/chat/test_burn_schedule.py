"""Burning is a job: opening a private message enqueues its burn at the deadline in the same
transaction (nothing travels on the realtime bus), the node's runner wakes for it on time, and
a runner that starts later (a restarted node, a worker) burns what is due from the rows."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlalchemy import func, select, update

from bellwork.chat.models import Conversation, Message
from bellwork.core.alarm import Alarm
from bellwork.jobs.models import Job
from bellwork.jobs.runner import Runner
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


async def test_opening_wakes_the_runner_at_the_deadline(
    world: World, school: dict[str, Any]
) -> None:
    """The app's runner has nothing due and sleeps; opening a message with a 1 s countdown
    (set in the row: the API allows 10 s at least) enqueues its burn, which wakes it on time."""
    _t, p1, conv, seq = await private_message(world, school)
    async with world.app.state.sessionmaker() as db:
        await db.execute(update(Conversation).where(Conversation.id == conv).values(burn_seconds=1))
        await db.commit()
    opened = await p1.post(f"/api/v1/conversations/{conv}/messages/{seq}/open")
    assert opened.status_code == 200 and opened.json()["body"] == "gone soon"
    assert await remaining(world, conv) == 1  # not before its time
    took = await gone_within(world, conv, 5)
    assert 0.5 < took < 3


async def test_the_burn_is_one_keyed_job_due_at_the_deadline(
    world: World, school: dict[str, Any]
) -> None:
    _t, p1, conv, seq = await private_message(world, school)
    opened = await p1.post(f"/api/v1/conversations/{conv}/messages/{seq}/open")
    again = await p1.post(f"/api/v1/conversations/{conv}/messages/{seq}/open")
    assert again.json()["expires_at"] == opened.json()["expires_at"]
    async with world.app.state.sessionmaker() as db:
        msg = (
            await db.execute(
                select(Message).where(Message.conversation_id == conv, Message.seq == seq)
            )
        ).scalar_one()
        jobs = (await db.execute(select(Job).where(Job.kind == "chat.burn"))).scalars().all()
    assert [(j.key, j.payload, j.run_at, j.state) for j in jobs] == [
        (f"chat.burn:{msg.id}", {"message": msg.id}, msg.expires_at, "queued")
    ]


async def test_a_runner_started_later_burns_what_fell_due(
    world: World, school: dict[str, Any]
) -> None:
    """No runner while the deadline passes (a node down); the next one to start burns it."""
    runtime = world.app.state.runtime
    await runtime.runner.stop()
    runtime.runner = None
    _t, p1, conv, seq = await private_message(world, school)
    async with world.app.state.sessionmaker() as db:
        await db.execute(update(Conversation).where(Conversation.id == conv).values(burn_seconds=1))
        await db.commit()
    assert (await p1.post(f"/api/v1/conversations/{conv}/messages/{seq}/open")).status_code == 200
    await asyncio.sleep(1.2)
    assert await remaining(world, conv) == 1  # nobody ran it
    runtime.runner = Runner(runtime)  # as a node that just started
    await runtime.runner.start()
    await gone_within(world, conv, 5)


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
    await alarm.sleep_until(time.time() - 5, min_sleep=0.2)  # past: a pause, not a busy loop
    assert time.monotonic() - t0 >= 0.19
