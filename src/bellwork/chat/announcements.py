"""群公告: a group's announcement, pinned at the top of the conversation, that members may be
asked to confirm having read.

- One announcement is current per group: the newest not removed. Posting one replaces the
  current one and says so in the chat — a message of kind `announcement` with its text, which
  mentions everyone ("[@所有人]" in the lists) — so it reaches every device like any message.
- Who may post, replace or remove: the group's owner and admins (a unit group's teachers and
  heads are its admins). Direct and private chats have none.
- Confirming is a row per person who confirmed. Who has not = current members (the author
  apart) without a row: an announcement to 3,000 members writes nothing per member until they
  press the button, and someone who joins later is asked too.
- The lists of who confirmed and who has not are for the author and the admins; everyone else
  sees the announcement and their own state. A confirmation is told to the author's devices and
  the confirmer's own (`announcement.confirmed`), not to the whole group.
- Recalling the message that announced it removes it (its text is gone from the server)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat import events as ev
from bellwork.chat.access import access_conversation, is_admin
from bellwork.chat.live import emit
from bellwork.chat.messages import post_message
from bellwork.chat.models import (
    Announcement,
    AnnouncementConfirm,
    Conversation,
    ConversationKind,
    ConversationMember,
    MessageKind,
)
from bellwork.chat.schemas import (
    AnnouncementIn,
    AnnouncementOut,
    AnnouncementState,
    ConfirmationOut,
)
from bellwork.chat.shaping import person_refs
from bellwork.core.errors import Forbidden, NotFound
from bellwork.core.schemas import Page, decode_cursor, encode_cursor
from bellwork.db.base import utcnow
from bellwork.org.models import Person

GROUP_KINDS = (ConversationKind.group.value, ConversationKind.unit.value)


def _require_group(conv: Conversation) -> None:
    if conv.kind not in GROUP_KINDS or conv.private:
        raise Forbidden("not_a_group")


def _may_edit(conv: Conversation, me: ConversationMember) -> bool:
    return conv.kind in GROUP_KINDS and is_admin(me)


async def current(db: AsyncSession, conversation_id: int) -> Announcement | None:
    """The group's announcement now: the newest that was not removed."""
    return (
        await db.execute(
            select(Announcement)
            .where(
                Announcement.conversation_id == conversation_id,
                Announcement.removed_at.is_(None),
            )
            .order_by(Announcement.id.desc())
            .limit(1)
        )
    ).scalar()


def _asked(a: Announcement) -> list[ColumnElement[bool]]:
    """The members asked to confirm `a`: current ones, its author apart."""
    where: list[ColumnElement[bool]] = [
        ConversationMember.conversation_id == a.conversation_id,
        ConversationMember.left_seq.is_(None),
    ]
    if a.author_id is not None:
        where.append(ConversationMember.person_id != a.author_id)
    return where


async def _counts(db: AsyncSession, a: Announcement) -> tuple[int, int]:
    """(confirmed, pending) among the members asked: one query over the members' rows."""
    confirmed = func.count(AnnouncementConfirm.id)
    row = (
        await db.execute(
            select(func.count(ConversationMember.id), confirmed)
            .select_from(ConversationMember)
            .outerjoin(
                AnnouncementConfirm,
                and_(
                    AnnouncementConfirm.announcement_id == a.id,
                    AnnouncementConfirm.person_id == ConversationMember.person_id,
                ),
            )
            .where(*_asked(a))
        )
    ).one()
    total, done = int(row[0]), int(row[1])
    return done, total - done


async def _out(
    db: AsyncSession, conv: Conversation, me: ConversationMember, a: Announcement
) -> AnnouncementOut:
    people = await person_refs(db, {a.author_id} if a.author_id else set(), conv)
    mine = (
        await db.execute(
            select(AnnouncementConfirm.confirmed_at).where(
                AnnouncementConfirm.announcement_id == a.id,
                AnnouncementConfirm.person_id == me.person_id,
            )
        )
    ).scalar()
    sees_counts = is_admin(me) or a.author_id == me.person_id
    confirmed = pending = None
    if sees_counts and a.confirm:
        confirmed, pending = await _counts(db, a)
    return AnnouncementOut(
        id=a.id,
        conversation_id=a.conversation_id,
        body=a.body,
        author=people.get(a.author_id) if a.author_id else None,
        created_at=a.created_at,
        seq=a.seq,
        confirm=a.confirm,
        confirmed_at=mine,
        confirmed_count=confirmed,
        pending_count=pending,
        can_edit=_may_edit(conv, me),
    )


async def get_state(db: AsyncSession, actor: Actor, conversation_id: int) -> AnnouncementState:
    """The group's announcement as oneself sees it (null when it has none)."""
    conv, me = await access_conversation(db, actor.id, conversation_id)
    a = await current(db, conv.id) if conv.kind in GROUP_KINDS else None
    return AnnouncementState(
        announcement=await _out(db, conv, me, a) if a is not None else None,
        can_edit=_may_edit(conv, me) and not conv.private,
    )


async def publish(
    db: AsyncSession, actor: Actor, conversation_id: int, data: AnnouncementIn
) -> AnnouncementOut:
    """Posts the group's announcement, replacing the current one, and announces it in the
    chat (a message mentioning everyone). Owner and admins only."""
    conv, me = await access_conversation(db, actor.id, conversation_id)
    _require_group(conv)
    if not is_admin(me):
        raise Forbidden("group_admin_only")
    now = utcnow()
    await db.execute(
        update(Announcement)
        .where(Announcement.conversation_id == conv.id, Announcement.removed_at.is_(None))
        .values(removed_at=now)
        .execution_options(synchronize_session=False)
    )
    author = await db.get(Person, actor.id)
    said = await post_message(
        db, conv, author, data.body, kind=MessageKind.announcement, mentions=["all"]
    )
    a = Announcement(
        conversation_id=conv.id,
        author_id=actor.id,
        body=data.body,
        confirm=data.confirm,
        seq=said.seq,
        created_at=now,
    )
    db.add(a)
    await db.flush()
    emit(
        db,
        ev.AnnouncementChanged(conversation_id=conv.id, announcement_id=a.id),
        conversation_id=conv.id,
    )
    return await _out(db, conv, me, a)


async def remove(db: AsyncSession, actor: Actor, conversation_id: int) -> None:
    """Takes the current announcement down (the message that announced it stays). Owner and
    admins only; nothing to remove is not an error."""
    conv, me = await access_conversation(db, actor.id, conversation_id)
    _require_group(conv)
    if not is_admin(me):
        raise Forbidden("group_admin_only")
    a = await current(db, conv.id)
    if a is None:
        return
    a.removed_at = utcnow()
    emit(
        db,
        ev.AnnouncementChanged(conversation_id=conv.id, announcement_id=None),
        conversation_id=conv.id,
    )


async def recalled(db: AsyncSession, conv: Conversation, seq: int) -> None:
    """Message `seq`, being recalled, announced an announcement: it goes with its text."""
    a = (
        await db.execute(
            select(Announcement).where(
                Announcement.conversation_id == conv.id, Announcement.seq == seq
            )
        )
    ).scalar()
    if a is None:
        return
    was_current = a.removed_at is None and (await current(db, conv.id)) is a
    a.body = ""
    a.removed_at = a.removed_at or utcnow()
    if was_current:
        emit(
            db,
            ev.AnnouncementChanged(conversation_id=conv.id, announcement_id=None),
            conversation_id=conv.id,
        )


async def _the(db: AsyncSession, conv: Conversation, announcement_id: int) -> Announcement:
    a = await db.get(Announcement, announcement_id)
    if a is None or a.conversation_id != conv.id:
        raise NotFound("announcement")
    return a


async def confirm(
    db: AsyncSession, actor: Actor, conversation_id: int, announcement_id: int
) -> AnnouncementOut:
    """Oneself confirms having read the announcement; again is the same. Only the current one,
    and only one that asks for it; its author has nothing to confirm."""
    conv, me = await access_conversation(db, actor.id, conversation_id)
    a = await _the(db, conv, announcement_id)
    if a.removed_at is not None:
        raise Forbidden("announcement_replaced")
    if not a.confirm or a.author_id == actor.id:
        raise Forbidden("announcement_no_confirm")
    try:
        async with db.begin_nested():
            db.add(AnnouncementConfirm(announcement_id=a.id, person_id=actor.id))
    except IntegrityError:
        pass  # confirmed already (on another device, a moment ago)
    out = await _out(db, conv, me, a)
    assert out.confirmed_at is not None
    # The author's count: counted already when the confirmer is an admin who sees it.
    confirmed = out.confirmed_count
    if confirmed is None:
        confirmed, _ = await _counts(db, a)
    emit(
        db,
        ev.AnnouncementConfirmed(
            conversation_id=conv.id,
            announcement_id=a.id,
            person_id=actor.id,
            confirmed_at=out.confirmed_at,
            confirmed_count=confirmed,
        ),
        people=sorted({actor.id, *([a.author_id] if a.author_id else [])}),
    )
    return out


async def confirmations(
    db: AsyncSession,
    actor: Actor,
    conversation_id: int,
    announcement_id: int,
    confirmed: bool,
    cursor: str | None,
    limit: int,
) -> Page[ConfirmationOut]:
    """Who confirmed (`confirmed`) or who has not, among the members asked, a page at a time in
    the order of their ids. For the announcement's author and the group's admins."""
    conv, me = await access_conversation(db, actor.id, conversation_id)
    a = await _the(db, conv, announcement_id)
    if not (is_admin(me) or a.author_id == actor.id):
        raise Forbidden("announcement_lists_for_admins")
    after = decode_cursor(cursor, int)
    join = and_(
        AnnouncementConfirm.announcement_id == a.id,
        AnnouncementConfirm.person_id == ConversationMember.person_id,
    )
    stmt = (
        select(ConversationMember.person_id, AnnouncementConfirm.confirmed_at)
        .outerjoin(AnnouncementConfirm, join)
        .where(*_asked(a))
        .where(
            AnnouncementConfirm.id.is_not(None) if confirmed else AnnouncementConfirm.id.is_(None)
        )
        .order_by(ConversationMember.person_id)
        .limit(limit + 1)
    )
    if after is not None:
        stmt = stmt.where(ConversationMember.person_id > after[0])
    rows: list[tuple[int, datetime | None]] = [(r[0], r[1]) for r in await db.execute(stmt)]
    more = len(rows) > limit
    rows = rows[:limit]
    people = await person_refs(db, {pid for pid, _ in rows}, conv)
    return Page(
        items=[
            ConfirmationOut(person=people[pid], confirmed_at=at)
            for pid, at in rows
            if pid in people
        ],
        next_cursor=encode_cursor([rows[-1][0]]) if more and rows else None,
    )
