"""Events raised inside a transaction, published to the bus only after it commits.

A service calls `publish(session, event, topics=[...])`. Nothing is sent if the transaction
rolls back. The session must come from a runtime (`runtime.RuntimeSession`): its bus carries
the event to every node, whose hub delivers it to the topics' subscribers. Publishing with a
session that has no runtime is an error (`runtime.NoRuntime`), never a silent no-op.

Topics are strings `prefix:id` (`realtime.protocol.topic`); `person:<id>` reaches every socket of
that person. One event to a unit of 8,000 people is one payload to `unit:<id>`, not 8,000 ids.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.db.session import on_commit
from bellwork.runtime import runtime_of

_KEY = "bellwork_outbox"
PUBLISH_SECONDS = 2.0  # a bus (Redis) that does not answer by then is treated as down
log = logging.getLogger("bellwork.realtime")

# (topic, people): these people's sockets join (before delivery) or leave (after it) the topic.
Membership = Sequence[tuple[str, Sequence[int]]]


def envelope(
    event: BaseModel,
    topics: Iterable[str],
    join: Membership = (),
    leave: Membership = (),
    exclude: Sequence[int] = (),
) -> bytes:
    """The bus payload: `e` the frame as sent, `t` its topics, `j`/`l` sockets joining and
    leaving topics, `n` people whose sockets do not get this one (they get another)."""
    body: dict[str, Any] = {"e": event.model_dump_json(), "t": list(topics)}
    if join:
        body["j"] = [[name, list(people)] for name, people in join if people]
    if leave:
        body["l"] = [[name, list(people)] for name, people in leave if people]
    if exclude:
        body["n"] = list(exclude)
    return orjson.dumps(body)


def _queue(session: AsyncSession, payload: bytes) -> None:
    """Adds a payload to publish after commit on the session's runtime's bus."""
    bus = runtime_of(session).bus
    pending: list[bytes] | None = session.info.get(_KEY)
    if pending is None:
        pending = []
        session.info[_KEY] = pending

        async def flush() -> None:
            items = session.info.pop(_KEY, [])
            for item in items:
                try:
                    async with asyncio.timeout(PUBLISH_SECONDS):
                        await bus.publish(item)
                except Exception as exc:
                    # The change is committed; only its live delivery is lost. Clients catch
                    # up from the database when they reconnect (docs/realtime.md), so the
                    # request that made it succeeds.
                    log.warning("event not published (%r); clients catch up on reconnect", exc)

        on_commit(session, flush)
    pending.append(payload)


# Which of a person's sockets `end_sockets` closes: those of these web sessions, of these API
# tokens, or all of them.
SESSIONS, TOKENS, ALL = "s", "t", "*"


def end_sockets(
    session: AsyncSession, person_id: int, kind: str, ids: list[int] | None = None
) -> None:
    """After commit, every node closes the person's sockets opened with these credentials
    (`kind` SESSIONS or TOKENS, `ids` None for every one of that kind; ALL for every socket):
    a logout, a revoked token or a deactivated account stops the live stream at once, not at
    the next reconnect."""
    _queue(session, orjson.dumps({"x": [person_id, kind, ids]}))


def publish(
    session: AsyncSession,
    event: BaseModel,
    topics: Iterable[str],
    *,
    join: Membership = (),
    leave: Membership = (),
    exclude: Sequence[int] = (),
) -> None:
    """Queue an event for after commit, to every subscriber of `topics` (a socket subscribed
    to several gets it once). `join`: (topic, people) whose sockets subscribe to the topic
    before delivery (a member just added); `leave`: unsubscribe after it (a member removed
    still hears of their removal); `exclude`: people who do not get this one."""
    _queue(session, envelope(event, topics, join, leave, exclude))
