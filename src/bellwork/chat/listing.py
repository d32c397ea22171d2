"""One's conversations, a page at a time; one's unread total; a conversation's members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Integer, and_, case, func, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat.access import access_conversation
from bellwork.chat.models import Conversation, ConversationMember
from bellwork.chat.schemas import ConversationOut, MemberOut, PersonRef, UnreadTotal
from bellwork.chat.shaping import conversations_out
from bellwork.core.schemas import Page, decode_cursor, encode_cursor
from bellwork.org.directory import key_match, match_rank
from bellwork.org.models import Person
from bellwork.org.search import normalise_query


def _mine(person_id: int) -> tuple[ColumnElement[bool], ...]:
    """One's conversations (Conversation joined with one's ConversationMember): a member who has
    not left, of a conversation not dissolved."""
    return (
        ConversationMember.person_id == person_id,
        ConversationMember.left_seq.is_(None),
        Conversation.dissolved_at.is_(None),
    )


def _after(cursor: str | None) -> ColumnElement[bool] | None:
    """The conversations after `cursor` (a page's `next_cursor`, the (last activity, id) of its
    last conversation) in the list's order: most recent activity first, then by id."""
    after = decode_cursor(cursor, datetime, int)
    if after is None:
        return None
    at, before_id = after
    return or_(
        Conversation.last_message_at < at,
        and_(Conversation.last_message_at == at, Conversation.id < before_id),
    )


async def list_conversations(
    db: AsyncSession, actor: Actor, limit: int = 50, cursor: str | None = None
) -> Page[ConversationOut]:
    """One's conversations, most recent activity first (then by id), a page at a time.

    The cursor is the (last activity, id) of the page's last conversation, so paging never
    repeats one. A conversation whose activity moves it above the cursor while one pages (a new
    message) is not in a later page: the client learns of it from the live events (docs/api.md).
    """
    stmt = (
        select(Conversation, ConversationMember)
        .join(ConversationMember, ConversationMember.conversation_id == Conversation.id)
        .where(*_mine(actor.id))
    )
    after = _after(cursor)
    if after is not None:
        stmt = stmt.where(after)
    stmt = stmt.order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    rows = (await db.execute(stmt.limit(limit + 1))).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = encode_cursor([last.last_message_at.isoformat(), last.id])
    items = await conversations_out(db, actor.id, [(c, m) for c, m in rows])
    return Page[ConversationOut](items=items, next_cursor=next_cursor)


async def unread_total(db: AsyncSession, person_id: int, cursor: str | None = None) -> UnreadTotal:
    """The sum of one's conversations' `unread` counts, muted ones apart: over all of them, or
    over those after `cursor` (the part of the list a client has not loaded). One aggregate
    query over one's memberships, however many conversations one is in."""
    unread = ConversationMember.unread_sql(Conversation.last_seq)

    def total(of: ColumnElement[int]) -> ColumnElement[int]:
        return type_coerce(func.coalesce(func.sum(of), 0), Integer)

    stmt = (
        select(
            total(case((ConversationMember.muted, 0), else_=unread)),
            total(case((ConversationMember.muted, unread), else_=0)),
        )
        .select_from(ConversationMember)
        .join(Conversation, Conversation.id == ConversationMember.conversation_id)
        .where(*_mine(person_id))
    )
    after = _after(cursor)
    if after is not None:
        stmt = stmt.where(after)
    loud, muted = (await db.execute(stmt)).one()
    return UnreadTotal(unread=loud, muted_unread=muted)


async def list_members(
    db: AsyncSession,
    actor: Actor,
    conversation_id: int,
    q: str | None = None,
    limit: int | None = None,
) -> list[MemberOut]:
    """The current members and their roles. Read positions are private: each sees only their
    own (in a home-school group no parent learns which other parents have read).

    With `q` (the @-picker): the members whose name, its pinyin or initials start with it —
    the directory's search keys and ranks (org/search.py), identifiers left out so that no
    member finds another by their phone — the best match first, at most `limit`."""
    await access_conversation(db, actor.id, conversation_id)
    stmt = (
        select(ConversationMember, Person.name)
        .join(Person, Person.id == ConversationMember.person_id)
        .where(
            ConversationMember.conversation_id == conversation_id,
            ConversationMember.left_seq.is_(None),
        )
    )
    query = normalise_query(q or "")
    if query:
        rank = match_rank(Person.id, query, names_only=True)
        stmt = stmt.where(key_match(Person.id, query, names_only=True))
        stmt = stmt.order_by(rank, Person.sort_key, Person.id)
    else:
        stmt = stmt.order_by(ConversationMember.role, Person.sort_key)
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = await db.execute(stmt)
    return [
        MemberOut(
            person=PersonRef(id=m.person_id, name=name),
            role=m.role,
            last_read_seq=m.last_read_seq if m.person_id == actor.id else None,
        )
        for m, name in rows
    ]
