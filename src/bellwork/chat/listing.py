"""One's conversations, a page at a time; one's unread total; a conversation's members; one's
own settings of a conversation (muted, pinned)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, func, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat.access import access_conversation
from bellwork.chat.models import Conversation, ConversationMember
from bellwork.chat.schemas import ConversationOut, MemberOut, PersonRef, UnreadTotal
from bellwork.chat.shaping import (
    announce,
    conversation_out,
    conversations_out,
    near_path,
    parent_out,
)
from bellwork.core.errors import Invalid
from bellwork.core.schemas import Page, decode_cursor, encode_cursor
from bellwork.db.base import utcnow
from bellwork.org.directory import key_match, match_rank
from bellwork.org.guardians import parents_of
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


def _pinned() -> ColumnElement[int]:
    """1 for a conversation one has pinned (置顶), else 0: the list's first sort key."""
    return case((ConversationMember.pinned_at.isnot(None), 1), else_=0)


def _order() -> tuple[ColumnElement[Any], ...]:
    """The list's order: pinned ones first, then most recent activity, then by id. Pinned ones
    among themselves go by activity too (as everyone else: a pinned chat with news rises to
    the top of the pinned ones), so one cursor shape serves both parts of the list."""
    return (_pinned().desc(), Conversation.last_message_at.desc(), Conversation.id.desc())


def _cursor_of(conv: Conversation, member: ConversationMember) -> str:
    pinned = 1 if member.pinned_at is not None else 0
    return encode_cursor([pinned, conv.last_message_at.isoformat(), conv.id])


def _after(cursor: str | None) -> ColumnElement[bool] | None:
    """The conversations after `cursor` (a page's `next_cursor`: whether its last conversation
    is pinned, its last activity and id) in the list's order. A cursor of two values (from
    before pins existed) is a place among the conversations not pinned."""
    if not cursor:
        return None
    try:
        values = decode_cursor(cursor, int, datetime, int)
    except Invalid:
        values = decode_cursor(cursor, datetime, int)
        if values is not None:
            values.insert(0, 0)
    if values is None:
        return None
    pinned, at, before_id = values
    if pinned not in (0, 1):
        raise Invalid("bad_cursor", errors=[{"field": "cursor"}])
    same = or_(
        Conversation.last_message_at < at,
        and_(Conversation.last_message_at == at, Conversation.id < before_id),
    )
    if pinned == 0:
        return and_(ConversationMember.pinned_at.is_(None), same)
    # After a pinned one: the rest of the pinned ones, then every conversation not pinned.
    return or_(ConversationMember.pinned_at.is_(None), same)


async def list_conversations(
    db: AsyncSession, actor: Actor, limit: int = 50, cursor: str | None = None
) -> Page[ConversationOut]:
    """One's conversations, pinned ones first, then most recent activity first (then by id), a
    page at a time.

    The cursor is the place of the page's last conversation (pinned or not, last activity, id),
    so paging never repeats one nor skips one. Pinning or unpinning while one pages moves a
    conversation across the cursor as a new message does: the client learns of it from the
    live event (conversation.updated), as it learns of a conversation whose activity moves it
    above the cursor (a new message; docs/api.md).
    """
    stmt = (
        select(Conversation, ConversationMember)
        .join(ConversationMember, ConversationMember.conversation_id == Conversation.id)
        .where(*_mine(actor.id))
    )
    after = _after(cursor)
    if after is not None:
        stmt = stmt.where(after)
    stmt = stmt.order_by(*_order())
    rows = (await db.execute(stmt.limit(limit + 1))).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _cursor_of(rows[-1][0], rows[-1][1])
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
    rows = (await db.execute(stmt)).all()
    conv = await db.get(Conversation, conversation_id)
    parents = await parents_of(
        db, {m.person_id for m, _ in rows}, (lambda: near_path(db, conv)) if conv else None
    )
    return [
        MemberOut(
            person=PersonRef(
                id=m.person_id, name=name, parent_of=parent_out(parents.get(m.person_id))
            ),
            role=m.role,
            last_read_seq=m.last_read_seq if m.person_id == actor.id else None,
        )
        for m, name in rows
    ]


async def set_own(
    db: AsyncSession,
    actor: Actor,
    conversation_id: int,
    *,
    muted: bool | None = None,
    pinned: bool | None = None,
) -> ConversationOut:
    """Mutes or pins (置顶) a conversation for oneself; one's other tabs and devices hear of it
    (conversation.updated), nobody else does. Pinning again keeps the time of the first pin."""
    conv, me = await access_conversation(db, actor.id, conversation_id)
    changed = False
    if muted is not None and me.muted != muted:
        me.muted = muted
        changed = True
    if pinned is not None and (me.pinned_at is not None) != pinned:
        me.pinned_at = utcnow() if pinned else None
        changed = True
    if changed:
        await db.flush()
        await announce(db, conv, [actor.id])
    return await conversation_out(db, actor.id, conv, me)
