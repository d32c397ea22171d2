"""Who may reach a conversation, and the lookups every room of chat shares: one's membership,
the current members, a message by its seq.

`access_conversation` answers 404 alike for a conversation that is missing, dissolved or not
one's own; where one may see it but not do this to it, the `require_*` checks answer 403."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.chat.models import (
    Conversation,
    ConversationKind,
    ConversationMember,
    MemberRole,
    Message,
)
from bellwork.core.errors import Forbidden, NotFound


def _access(lock: bool) -> Select[Conversation, ConversationMember]:
    stmt = (
        select(Conversation, ConversationMember)
        .join(ConversationMember, ConversationMember.conversation_id == Conversation.id)
        .where(
            Conversation.id == bindparam("conversation_id"),
            ConversationMember.person_id == bindparam("person_id"),
            ConversationMember.left_seq.is_(None),
            Conversation.dissolved_at.is_(None),
        )
    )
    if lock:
        # FOR NO KEY UPDATE: serialises the writers of the conversation's row without
        # blocking inserts that merely reference it (messages, files, members).
        stmt = stmt.with_for_update(of=Conversation, key_share=True).execution_options(
            populate_existing=True
        )
    return stmt


# Asked by every request about a conversation: built once (putting a select together costs
# more CPU than running its cached compilation), the ids bound at execution.
_ACCESS = _access(lock=False)
_ACCESS_LOCKED = _access(lock=True)


async def access_conversation(
    db: AsyncSession, person_id: int, conversation_id: int, *, lock: bool = False
) -> tuple[Conversation, ConversationMember]:
    """The conversation and one's membership; 404 alike for missing, dissolved and not-a-member.

    `lock`: for changes to the membership. On PostgreSQL the conversation's row stays locked to
    the end of the transaction, so two admins adding and removing the same person at once take
    turns, each seeing what the other committed (SQLite's writers take turns anyway)."""
    params = {"conversation_id": conversation_id, "person_id": person_id}
    row = (await db.execute(_ACCESS_LOCKED if lock else _ACCESS, params)).first()
    if row is None:
        raise NotFound("conversation")
    return row[0], row[1]


async def lock_conversation(db: AsyncSession, conversation_id: int) -> Conversation:
    """The conversation, its row locked for a membership change that does not go through a
    member (a roster sync, someone joining by a group's code): FOR NO KEY UPDATE, as
    `access_conversation(lock=True)` takes it, so such changes take turns with the members'."""
    return (
        await db.execute(
            select(Conversation)
            .where(Conversation.id == conversation_id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()


def is_admin(member: ConversationMember) -> bool:
    """The group's owner or one of its admins."""
    return member.role in (MemberRole.owner.value, MemberRole.admin.value)


def require_group(conv: Conversation) -> None:
    if conv.kind != ConversationKind.group.value:
        raise Forbidden("not_a_group")


def require_admin(member: ConversationMember) -> None:
    if not is_admin(member):
        raise Forbidden("group_admin_only")


async def active_members(
    db: AsyncSession, conversation_id: int, ids: Sequence[int]
) -> list[ConversationMember]:
    """The current (not departed) memberships of these people in the conversation."""
    if not ids:
        return []
    rows = await db.execute(
        select(ConversationMember).where(
            ConversationMember.conversation_id == conversation_id,
            ConversationMember.person_id.in_(list(ids)),
            ConversationMember.left_seq.is_(None),
        )
    )
    return list(rows.scalars())


async def member_ids(db: AsyncSession, conversation_id: int) -> list[int]:
    """The people who are members of the conversation now."""
    rows = await db.execute(
        select(ConversationMember.person_id).where(
            ConversationMember.conversation_id == conversation_id,
            ConversationMember.left_seq.is_(None),
        )
    )
    return list(rows.scalars())


async def find_message(db: AsyncSession, conv: Conversation, seq: int) -> Message | None:
    """Message `seq` of the conversation, if it (still) exists."""
    return (
        await db.execute(
            select(Message).where(Message.conversation_id == conv.id, Message.seq == seq)
        )
    ).scalar()


async def get_message(db: AsyncSession, conv: Conversation, seq: int) -> Message:
    """Message `seq` of the conversation; 404 if it does not exist (or no longer: burned)."""
    msg = await find_message(db, conv, seq)
    if msg is None:
        raise NotFound("message")
    return msg
