"""Chat's Web Push (push/, docs/push.md): a message reaches the phone of whom it concerns —
the other person of a 1:1 chat ("direct") unless they muted it, and whoever it @mentions by
name or as @all ("mention"; a mention goes through a mute, as the web client's alerts do).
Posts without a person, group notices and one's own devices' chat push nothing. A private
chat's push says only "a new private message": its text stays sealed on the server."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.chat.access import member_ids
from bellwork.chat.models import Conversation, ConversationKind, ConversationMember, MessageKind
from bellwork.chat.schemas import MessageOut
from bellwork.push import service as push
from bellwork.push.messages import chat_push


async def push_message(
    db: AsyncSession, conv: Conversation, out: MessageOut, mentions: Sequence[int | str]
) -> None:
    """Queues the pushes of a message just posted (in the poster's transaction)."""
    if out.sender is None or out.kind == MessageKind.system:
        return
    sender = out.sender.id
    if conv.kind == ConversationKind.direct.value:
        rows = await db.execute(
            select(ConversationMember.person_id).where(
                ConversationMember.conversation_id == conv.id,
                ConversationMember.left_seq.is_(None),
                ConversationMember.muted.is_(False),
                ConversationMember.person_id != sender,
            )
        )
        people = list(rows.scalars())
        category = "direct"
    elif conv.kind in (ConversationKind.group.value, ConversationKind.unit.value) and mentions:
        if "all" in mentions:
            people = await member_ids(db, conv.id)
        else:
            named = {m for m in mentions if isinstance(m, int) and not isinstance(m, bool)}
            people = [p for p in await member_ids(db, conv.id) if p in named]
        people = [p for p in people if p != sender]
        category = "mention"
    else:
        return
    if not people:
        return
    message = chat_push(
        "direct" if category == "direct" else "mention",
        conv.id,
        conv.name or "",
        out.sender.name,
        out.kind.value,
        out.body,
        private=conv.private,
    )
    await push.notify(db, people, "direct" if category == "direct" else "mention", message)
