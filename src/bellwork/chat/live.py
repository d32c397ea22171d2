"""Chat on the socket: its topics, events and client frame (`realtime.protocol.Part`), and
`emit`, the one way chat's services raise an event.

- Topic `conv:<id>`: the events of one conversation. A socket starts subscribed to every
  conversation its person is a member of; membership changes join and leave sockets on every
  node (`emit(..., add=..., remove=...)`). A client may also subscribe to a conversation it is a
  member of (after it was added while its socket was away, say); anything else is refused.
- Client frame `read`: moves one's read position, as `POST /conversations/{id}/read`.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.chat import events as ev
from bellwork.chat.access import access_conversation
from bellwork.chat.models import ConversationMember
from bellwork.core.errors import NotFound
from bellwork.realtime.outbox import publish
from bellwork.realtime.protocol import Part, person_topic, topic

CONV = "conv"


def conv_topic(conversation_id: int) -> str:
    return topic(CONV, conversation_id)


async def _member_topics(db: AsyncSession, person_id: int) -> list[str]:
    rows = await db.execute(
        select(ConversationMember.conversation_id).where(
            ConversationMember.person_id == person_id, ConversationMember.left_seq.is_(None)
        )
    )
    return [conv_topic(cid) for cid in rows.scalars()]


async def _may_follow(db: AsyncSession, person_id: int, conversation_id: int) -> bool:
    """A conversation one may reach (chat.access's rule: a current member of one that is not
    dissolved)."""
    try:
        await access_conversation(db, person_id, conversation_id)
    except NotFound:
        return False
    return True


async def _read(db: AsyncSession, person_id: int, frame: ev.ClientRead) -> None:
    from bellwork.chat.receipts import mark_read

    await mark_read(db, person_id, frame.conversation_id, frame.seq)


PART = Part(
    name="chat",
    events=ev.CHAT_EVENTS,
    topics={CONV: _may_follow},
    initial=_member_topics,
    actions={ev.ClientRead: _read},
)


def emit(
    session: AsyncSession,
    event: BaseModel,
    *,
    conversation_id: int | None = None,
    people: Sequence[int] = (),
    add: Sequence[int] = (),
    remove: Sequence[int] = (),
    subscribe: int | None = None,
    exclude: Sequence[int] = (),
) -> None:
    """Queue a chat event for after commit: to the conversation's topic and to `people`'s
    own sockets; `add` people join the conversation's topic before delivery, `remove` people
    leave it after; `subscribe` makes `people` join that conversation without the event going
    to its other members."""
    topics = [person_topic(p) for p in people]
    if conversation_id is not None:
        topics.append(conv_topic(conversation_id))
    join: list[tuple[str, Sequence[int]]] = []
    if conversation_id is not None and add:
        join.append((conv_topic(conversation_id), add))
    if subscribe is not None and people:
        join.append((conv_topic(subscribe), people))
    leave = (
        [(conv_topic(conversation_id), remove)] if conversation_id is not None and remove else []
    )
    publish(session, event, topics, join=join, leave=leave, exclude=exclude)
