"""A meeting's card in its conversation (docs/meetings.md): posted by the system when the
meeting is made, through chat's `post_message`, as lessons post theirs. Tapping it opens the
meeting page, which asks whether it is live."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.chat.messages import post_message
from bellwork.chat.models import Conversation, MessageKind
from bellwork.meetings.models import Meeting


async def post_card(db: AsyncSession, meeting: Meeting) -> None:
    conv = await db.get(Conversation, meeting.conversation_id)
    if conv is None or conv.dissolved_at is not None or conv.private:
        return
    await post_message(
        db,
        conv,
        None,
        meeting.title,
        kind=MessageKind.meeting,
        card={
            "meeting_id": meeting.id,
            "starts_at": meeting.starts_at.isoformat() if meeting.starts_at else None,
        },
    )
