"""Events raised inside a transaction, published to the bus only after it commits.

A service calls `emit(session, event, conversation_id=..., people=...)`. Nothing is sent if the
transaction rolls back. The request's session carries the bus (`session.info["bus"]`), set by the
dependency that opened it; a session without one (the CLI) publishes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.db.session import on_commit

_KEY = "bellwork_outbox"
PUBLISH_SECONDS = 2.0  # a bus (Redis) that does not answer by then is treated as down
log = logging.getLogger("bellwork.realtime")


def envelope(
    event: BaseModel,
    conversation_id: int | None = None,
    people: list[int] | None = None,
    add: list[int] | None = None,
    remove: list[int] | None = None,
    subscribe: int | None = None,
    exclude: list[int] | None = None,
) -> bytes:
    body: dict[str, Any] = {"e": event.model_dump_json()}
    if subscribe is not None:
        body["s"] = subscribe
    if conversation_id is not None:
        body["c"] = conversation_id
    if people:
        body["p"] = people
    if add:
        body["add"] = add
    if remove:
        body["rm"] = remove
    if exclude:
        body["n"] = exclude
    return orjson.dumps(body)


def _queue(session: AsyncSession, payload: bytes) -> None:
    """Adds a payload to publish after commit; nothing without a bus (the CLI)."""
    bus = session.info.get("bus")
    if bus is None:
        return
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


def emit(
    session: AsyncSession,
    event: BaseModel,
    *,
    conversation_id: int | None = None,
    people: list[int] | None = None,
    add: list[int] | None = None,
    remove: list[int] | None = None,
    subscribe: int | None = None,
    exclude: list[int] | None = None,
) -> None:
    """Queue an event for after commit. It goes to every current subscriber of
    `conversation_id` and to every connection of `people`; `add` people are subscribed to the
    conversation before delivery, `remove` people unsubscribed after it; `subscribe` subscribes
    the `people` to that conversation without sending to its other members.
    `exclude`: people of the conversation who do not get this one (they get another)."""
    if session.info.get("bus") is None:
        return
    _queue(session, envelope(event, conversation_id, people, add, remove, subscribe, exclude))
