"""@-mention markers of the conversation list ("[有人@我]", "[@所有人]").

A marker is the newest message that mentions a member: by name in their membership
(`ConversationMember.mention_seq`), everyone in the conversation (`Conversation.mention_all_seq`:
one column, so an @all to 3,000 members writes no member row). It shows while that message is
unread for the member (`ConversationMember.unread_mention`): reading past it clears it without a
write, and the conversation list reads it from the rows it loads anyway (no query of its own).
Posting sets it (`mark_mentioned`, and `messages._next_seq` for @all); a recall puts it back to
the mention before (`unmention`). Private chats keep their mentions sealed: no marker there.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Text, and_, cast, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.chat.models import Conversation, ConversationMember, Message, MessageKind
from bellwork.chat.shaping import announce

SCAN_BATCH = 200
# How far back a recall looks for the mention before it: a marker older than this many
# messages is let go (a recall is rare; its cost stays bounded in a long history).
SCAN_BACK = 5000


def mentions_anyone() -> ColumnElement[bool]:
    """Messages that mention someone. The ORM stores "no mentions" as JSON null (not SQL NULL,
    which rows inserted without the column have): both are left out."""
    return and_(Message.mentions.isnot(None), cast(Message.mentions, Text) != "null")


def _named(mentions: Sequence[object]) -> set[int]:
    return {m for m in mentions if isinstance(m, int) and not isinstance(m, bool)}


async def mark_mentioned(
    db: AsyncSession, conv: Conversation, seq: int, mentions: Sequence[int | str], sender: int
) -> None:
    """The current members named in message `seq` (not its sender) get its marker."""
    named = _named(mentions) - {sender}
    if not named or conv.private:
        return
    await db.execute(
        update(ConversationMember)
        .where(
            ConversationMember.conversation_id == conv.id,
            ConversationMember.person_id.in_(sorted(named)),
            ConversationMember.left_seq.is_(None),
        )
        .values(mention_seq=seq)
        .execution_options(synchronize_session=False)
    )


async def _earlier(
    db: AsyncSession, conv: Conversation, before: int, floor: int, wanted: set[int | str]
) -> dict[int | str, int]:
    """For each of `wanted` (person ids, "all"): the newest message before seq `before` and
    after `floor` that still mentions it (not recalled). Reads only the messages that mention
    anyone, newest first, a batch at a time, until every wanted one is found or `floor` (below
    which all concerned have read everything) is reached."""
    found: dict[int | str, int] = {}
    upper = before
    floor = max(floor, before - SCAN_BACK)
    while wanted - found.keys() and upper > floor + 1:
        rows = (
            await db.execute(
                select(Message.seq, Message.mentions)
                .where(
                    Message.conversation_id == conv.id,
                    Message.seq < upper,
                    Message.seq > floor,
                    mentions_anyone(),
                    Message.recalled_at.is_(None),
                    Message.kind != MessageKind.system.value,
                )
                .order_by(Message.seq.desc())
                .limit(SCAN_BATCH)
            )
        ).all()
        for row in rows:
            said: list[int | str] = row.mentions if isinstance(row.mentions, list) else []
            for m in said:
                if m in wanted and m not in found:
                    found[m] = int(row.seq)
        if len(rows) < SCAN_BATCH:
            break
        upper = int(rows[-1].seq)
    return found


async def unmention(
    db: AsyncSession, conv: Conversation, seq: int, mentions: Sequence[int | str]
) -> None:
    """Message `seq`, which mentioned these, is being recalled: whoever it marked gets the
    marker of the mention before it (or none), and those whose list shows a different marker
    now hear of it (conversation.updated to their devices)."""
    if conv.private or not mentions:
        return
    everyone = "all" in mentions and conv.mention_all_seq == seq
    named = _named(mentions)
    marked: list[ConversationMember] = []
    if named:
        marked = list(
            (
                await db.execute(
                    select(ConversationMember).where(
                        ConversationMember.conversation_id == conv.id,
                        ConversationMember.person_id.in_(sorted(named)),
                        ConversationMember.left_seq.is_(None),
                        ConversationMember.mention_seq == seq,
                    )
                )
            ).scalars()
        )
    if not everyone and not marked:
        return
    # Who saw a marker for `seq`: those who had not read it (and were there when it was said).
    showing = [m.person_id for m in marked if m.unread_mention(seq) is not None]
    if everyone:
        showing += (
            await db.execute(
                select(ConversationMember.person_id).where(
                    ConversationMember.conversation_id == conv.id,
                    ConversationMember.left_seq.is_(None),
                    ConversationMember.last_read_seq < seq,
                    ConversationMember.joined_seq < seq,
                )
            )
        ).scalars()
    # Below the lowest read position among them, every earlier mention is read by all of them.
    floor = 0
    if everyone:
        floor = (
            await db.execute(
                select(func.min(ConversationMember.last_read_seq)).where(
                    ConversationMember.conversation_id == conv.id,
                    ConversationMember.left_seq.is_(None),
                )
            )
        ).scalar() or 0
    elif marked:
        floor = min(max(m.last_read_seq, m.joined_seq) for m in marked)
    wanted: set[int | str] = {m.person_id for m in marked}
    if everyone:
        wanted.add("all")
    found = await _earlier(db, conv, seq, floor, wanted)
    if everyone:
        all_seq = found.get("all")
        conv.mention_all_seq = all_seq if isinstance(all_seq, int) else None
    for m in marked:
        m.mention_seq = found.get(m.person_id)
    await db.flush()
    await announce(db, conv, sorted(set(showing)))
