"""The rules of chat. Never commits; never imports FastAPI; events go out after commit."""

from __future__ import annotations

import asyncio
import bisect
import functools
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    delete,
    func,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat import events as ev
from bellwork.chat import files as filestore
from bellwork.chat import sealing
from bellwork.chat.live import emit
from bellwork.chat.models import (
    Conversation,
    ConversationKind,
    ConversationMember,
    MemberRole,
    Message,
    MessageKind,
    StoredFile,
)
from bellwork.chat.schemas import (
    MAX_GROUP,
    ConversationOut,
    FileOut,
    GroupCreate,
    GroupUpdate,
    MemberOut,
    MessageCreate,
    MessageOut,
    MessagePage,
    PersonRef,
    PersonRefData,
    ReadOut,
    ReceiptCount,
    ReceiptData,
    ReceiptGroupData,
    UnreadTotal,
)
from bellwork.core.errors import Conflict, Forbidden, Invalid, NotFound
from bellwork.core.schemas import Page, decode_cursor, encode_cursor
from bellwork.db.base import utcnow
from bellwork.db.engine import scrub_sqlite
from bellwork.db.session import on_commit
from bellwork.jobs.queue import enqueue
from bellwork.org import access
from bellwork.org.access import Scope
from bellwork.org.models import Membership, Person, Role, Unit, UnitKind
from bellwork.org.service import path_names
from bellwork.runtime import has_runtime, runtime_of

RECALL_WINDOW = timedelta(minutes=2)
PREVIEW = 80
DEFAULT_BURN_SECONDS = 30
SYSTEM_NAMES = 10  # people named in a system message; `count` says how many in all


# ---------------------------------------------------------------- access


async def access_conversation(
    db: AsyncSession, person_id: int, conversation_id: int, *, lock: bool = False
) -> tuple[Conversation, ConversationMember]:
    """The conversation and one's membership; 404 alike for missing, dissolved and not-a-member.

    `lock`: for changes to the membership. On PostgreSQL the conversation's row stays locked to
    the end of the transaction, so two admins adding and removing the same person at once take
    turns, each seeing what the other committed (SQLite's writers take turns anyway)."""
    stmt = (
        select(Conversation, ConversationMember)
        .join(ConversationMember, ConversationMember.conversation_id == Conversation.id)
        .where(
            Conversation.id == conversation_id,
            ConversationMember.person_id == person_id,
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
    row = (await db.execute(stmt)).first()
    if row is None:
        raise NotFound("conversation")
    return row[0], row[1]


def _is_admin(member: ConversationMember) -> bool:
    return member.role in (MemberRole.owner.value, MemberRole.admin.value)


def _require_group(conv: Conversation) -> None:
    if conv.kind != ConversationKind.group.value:
        raise Forbidden("not_a_group")


def _require_admin(member: ConversationMember) -> None:
    if not _is_admin(member):
        raise Forbidden("group_admin_only")


# ---------------------------------------------------------------- shaping answers


async def _people(db: AsyncSession, ids: set[int]) -> dict[int, PersonRef]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = await db.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))
    return {pid: PersonRef(id=pid, name=name) for pid, name in rows}


def data_dir_of(db: AsyncSession) -> Path:
    """The data folder (keys and files), which the chat API puts in the session's info."""
    found = db.info.get("data_dir")
    if found is None:
        raise RuntimeError("chat session without info['data_dir']")
    return Path(found)


async def _files(db: AsyncSession, ids: set[int]) -> dict[int, FileOut]:
    """The files by id; a private file whose key is gone is left out (shown as no file)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = list((await db.execute(select(StoredFile).where(StoredFile.id.in_(ids)))).scalars())
    sealed = [f for f in rows if f.key_id is not None]
    names: dict[int, str | None] = {}
    if sealed:
        data_dir = data_dir_of(db)
        names = await asyncio.to_thread(
            lambda: {f.id: filestore.read_name(data_dir, f) for f in sealed}
        )
    out = {}
    for f in rows:
        name = names.get(f.id) if f.key_id is not None else f.name
        if name is not None:
            out[f.id] = file_out(f, name)
    return out


def file_out(f: StoredFile, name: str | None = None) -> FileOut:
    return FileOut(
        id=f.id,
        name=f.name if name is None else name,
        content_type=f.content_type,
        size=f.size,
        width=f.width,
        height=f.height,
        has_thumbnail=f.thumb_key is not None,
    )


async def _unseal(db: AsyncSession, messages: Iterable[Message]) -> dict[int, sealing.Content]:
    """What the sealed ones among these messages say, by message id. A message whose key is
    gone (burned a moment ago by another node, or lost) is missing from the answer."""
    sealed = {m.id: m for m in messages if m.key_id is not None and m.sealed is not None}
    if not sealed:
        return {}
    data_dir = data_dir_of(db)

    def work() -> dict[int, sealing.Content]:
        out = {}
        for m in sealed.values():
            assert m.key_id is not None and m.sealed is not None
            key = sealing.read_key(data_dir, sealing.KeyRef.message(m.id, m.key_id))
            content = sealing.unseal_message(key, m.key_id, m.sealed) if key else None
            if content is not None:
                out[m.id] = content
        return out

    return await asyncio.to_thread(work)


def _content(m: Message, opened: dict[int, sealing.Content]) -> sealing.Content | None:
    """A message's text and mentions; None when it is sealed and its key is gone."""
    if m.key_id is None:
        return sealing.Content(body=m.body, mentions=list(m.mentions or []))
    return opened.get(m.id)


def _visible(conv: Conversation, m: Message, viewer_id: int) -> bool:
    """In a private chat, a message is hidden from the recipient until they open it."""
    return not conv.private or m.sender_id == viewer_id or m.opened_at is not None


def _preview(
    conv: Conversation, viewer_id: int, m: Message | None, opened: dict[int, sealing.Content]
) -> str | None:
    if m is None or m.recalled_at is not None or not _visible(conv, m, viewer_id):
        return None
    content = _content(m, opened)
    if content is None or content.body is None:
        return None
    return content.body[:PREVIEW]


async def messages_out(
    db: AsyncSession,
    conv: Conversation,
    viewer_id: int,
    messages: Sequence[Message],
    with_receipts: bool = True,
    joined_seq: int = 0,
) -> list[MessageOut]:
    """The messages as `viewer_id` sees them; `joined_seq` is where the viewer joined (a quote
    of something said before that shows no preview)."""
    if not messages:
        return []
    people = await _people(db, {m.sender_id for m in messages if m.sender_id})
    files = await _files(db, {m.file_id for m in messages if m.file_id})
    reply_seqs = {m.reply_to_seq for m in messages if m.reply_to_seq}
    replies: dict[int, Message] = {}
    if reply_seqs:
        rows = await db.execute(
            select(Message).where(Message.conversation_id == conv.id, Message.seq.in_(reply_seqs))
        )
        replies = {r.seq: r for r in rows.scalars()}
    counts: dict[int, int] = {}
    own = [m for m in messages if m.sender_id == viewer_id and m.kind != MessageKind.system]
    if with_receipts and own:
        counts = {c.seq: c.unread_count for c in await receipt_counts(db, conv, own)}
    visible = [m for m in messages if m.recalled_at is None and _visible(conv, m, viewer_id)]
    quoted = [replies[m.reply_to_seq] for m in visible if m.reply_to_seq in replies]
    opened = await _unseal(db, [*visible, *quoted])
    out = []
    for m in messages:
        shown = m.recalled_at is None and _visible(conv, m, viewer_id)
        content = _content(m, opened) if shown else None
        # A sealed message whose key is gone reads as burned: nothing, and its time is up.
        gone = shown and content is None
        out.append(
            MessageOut(
                conversation_id=conv.id,
                seq=m.seq,
                sender=people.get(m.sender_id) if m.sender_id else None,
                kind=m.kind,
                body=content.body if content else None,
                mentions=content.mentions if content else [],
                reply_to_seq=m.reply_to_seq,
                reply_preview=_preview(conv, viewer_id, replies.get(m.reply_to_seq), opened)
                if m.reply_to_seq and m.reply_to_seq > joined_seq and content
                else None,
                file=files.get(m.file_id) if (m.file_id and content) else None,
                client_msg_id=m.client_msg_id if m.sender_id == viewer_id else None,
                created_at=m.created_at,
                recalled=m.recalled_at is not None,
                opened_at=m.opened_at,
                expires_at=(m.expires_at or m.created_at) if gone else m.expires_at,
                unread_count=counts.get(m.seq) if m.sender_id == viewer_id else None,
            )
        )
    return out


async def conversations_out(
    db: AsyncSession, viewer_id: int, pairs: Sequence[tuple[Conversation, ConversationMember]]
) -> list[ConversationOut]:
    if not pairs:
        return []
    convs = [c for c, _ in pairs]
    last_keys = [(c.id, c.last_seq) for c in convs if c.last_seq > 0]
    last: dict[int, Message] = {}
    if last_keys:
        conds = [and_(Message.conversation_id == cid, Message.seq == seq) for cid, seq in last_keys]
        rows = await db.execute(select(Message).where(or_(*conds)))
        last = {m.conversation_id: m for m in rows.scalars()}
    # The other person of each direct chat.
    direct_ids = [c.id for c in convs if c.kind == ConversationKind.direct.value]
    peers: dict[int, PersonRef] = {}
    if direct_ids:
        rows2 = await db.execute(
            select(ConversationMember.conversation_id, Person.id, Person.name)
            .join(Person, Person.id == ConversationMember.person_id)
            .where(
                ConversationMember.conversation_id.in_(direct_ids),
                ConversationMember.person_id != viewer_id,
            )
        )
        peers = {cid: PersonRef(id=pid, name=name) for cid, pid, name in rows2}
    unit_ids = {c.unit_id for c in convs if c.unit_id is not None}
    unit_kinds: dict[int, str] = {}
    if unit_ids:
        rows3 = await db.execute(select(Unit.id, Unit.kind).where(Unit.id.in_(unit_ids)))
        unit_kinds = {uid: kind for uid, kind in rows3}
    out = []
    for conv, mem in pairs:
        # What was said before one joined is not one's to see, not even as the list's preview.
        msg = last.get(conv.id) if conv.last_seq > mem.joined_seq else None
        msg_out = (
            (
                await messages_out(
                    db, conv, viewer_id, [msg], with_receipts=False, joined_seq=mem.joined_seq
                )
            )[0]
            if msg is not None
            else None
        )
        peer = peers.get(conv.id)
        name = conv.name or (peer.name if peer else "")
        out.append(
            ConversationOut(
                id=conv.id,
                kind=conv.kind,
                name=name,
                avatar_file_id=conv.avatar_file_id,
                unit_id=conv.unit_id,
                unit_kind=UnitKind(unit_kinds[conv.unit_id])
                if conv.unit_id in unit_kinds
                else None,
                private=conv.private,
                burn_seconds=conv.burn_seconds,
                member_count=conv.member_count,
                my_role=mem.role,
                muted=mem.muted,
                last_seq=conv.last_seq,
                last_read_seq=mem.last_read_seq,
                unread=mem.unread(conv.last_seq),
                last_message=msg_out,
                last_message_at=conv.last_message_at,
                peer=peer,
            )
        )
    return out


async def conversation_out(
    db: AsyncSession, viewer_id: int, conv: Conversation, member: ConversationMember
) -> ConversationOut:
    return (await conversations_out(db, viewer_id, [(conv, member)]))[0]


async def _active_members(
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


def _seen_by(m: MessageOut | None, joined_seq: int) -> MessageOut | None:
    """A message as one who joined at `joined_seq` may see it: nothing from before, and no
    preview of a quote from before."""
    if m is None or m.seq <= joined_seq:
        return None
    if m.reply_to_seq is not None and m.reply_to_seq <= joined_seq and m.reply_preview:
        return m.model_copy(update={"reply_preview": None})
    return m


async def _announce(db: AsyncSession, conv: Conversation, people: list[int]) -> None:
    """Tell these members' devices about the conversation (new to them, or changed)."""
    if not has_runtime(db) or not runtime_of(db).has_audience:
        return  # nobody to tell (the demo loader): skip building the answers
    members = await _active_members(db, conv.id, people)
    shared: ConversationOut | None = None
    if len(members) > 1 and conv.kind != ConversationKind.direct.value and not conv.private:
        # A group reads the same to every member but for their own membership and the last
        # message's sender: build it once (renaming a 3,000-member group is one query, not
        # thousands), seen by nobody in particular.
        # (Built for the longest-standing of them: whoever joined later may not see its last
        # message, which is taken out below.)
        earliest = min(members, key=lambda m: m.joined_seq)
        shared = (await conversations_out(db, 0, [(conv, earliest)]))[0]
    for mem in members:
        last = shared.last_message if shared else None
        if shared is None or (last is not None and last.sender and last.sender.id == mem.person_id):
            view = await conversation_out(db, mem.person_id, conv, mem)
        else:
            view = shared.model_copy(
                update={
                    "my_role": MemberRole(mem.role),
                    "muted": mem.muted,
                    "last_read_seq": mem.last_read_seq,
                    "unread": mem.unread(conv.last_seq),
                    "last_message": _seen_by(last, mem.joined_seq),
                }
            )
        emit(
            db,
            ev.ConversationUpdated(conversation=view),
            people=[mem.person_id],
            subscribe=conv.id,
        )


# ---------------------------------------------------------------- listing


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


async def member_conversation_ids(db: AsyncSession, person_id: int) -> set[int]:
    rows = await db.execute(
        select(ConversationMember.conversation_id).where(
            ConversationMember.person_id == person_id, ConversationMember.left_seq.is_(None)
        )
    )
    return set(rows.scalars())


async def list_members(db: AsyncSession, actor: Actor, conversation_id: int) -> list[MemberOut]:
    """The current members and their roles. Read positions are private: each sees only their
    own (in a home-school group no parent learns which other parents have read)."""
    await access_conversation(db, actor.id, conversation_id)
    rows = await db.execute(
        select(ConversationMember, Person.name)
        .join(Person, Person.id == ConversationMember.person_id)
        .where(
            ConversationMember.conversation_id == conversation_id,
            ConversationMember.left_seq.is_(None),
        )
        .order_by(ConversationMember.role, Person.sort_key)
    )
    return [
        MemberOut(
            person=PersonRef(id=m.person_id, name=name),
            role=m.role,
            last_read_seq=m.last_read_seq if m.person_id == actor.id else None,
        )
        for m, name in rows
    ]


# ---------------------------------------------------------------- creating conversations


async def _new_conversation(
    db: AsyncSession, conv: Conversation, members: dict[int, str]
) -> Conversation:
    conv.member_count = len(members)
    db.add(conv)
    await db.flush()
    db.add_all(
        ConversationMember(conversation_id=conv.id, person_id=pid, role=role)
        for pid, role in members.items()
    )
    await db.flush()
    return conv


async def _get_or_create_keyed(
    db: AsyncSession, key: str, make: Conversation, members: dict[int, str]
) -> Conversation:
    existing = (await db.execute(select(Conversation).where(Conversation.key == key))).scalar()
    if existing is not None:
        return existing
    make.key = key
    try:
        async with db.begin_nested():
            conv = await _new_conversation(db, make, members)
    except IntegrityError:
        # Created at the same moment by another request: use that one.
        found = (await db.execute(select(Conversation).where(Conversation.key == key))).scalar()
        if found is None:
            raise
        return found
    # New: every member's devices learn about it (and subscribe) at once.
    await _announce(db, conv, list(members))
    return conv


async def open_direct(
    db: AsyncSession,
    actor: Actor,
    scope: Scope,
    person_id: int,
    private: bool,
    burn_seconds: int | None,
) -> tuple[Conversation, ConversationMember]:
    if person_id == actor.id:
        raise Invalid("direct_with_self", errors=[{"field": "person_id"}])
    other = await access.access_person(db, scope, person_id)
    if not other.active:
        raise Invalid("person_inactive", errors=[{"field": "person_id"}])
    lo, hi = sorted((actor.id, person_id))
    key = f"{'p' if private else 'd'}:{lo}:{hi}"
    conv = await _get_or_create_keyed(
        db,
        key,
        Conversation(
            kind=ConversationKind.direct.value,
            private=private,
            burn_seconds=(burn_seconds or DEFAULT_BURN_SECONDS) if private else None,
        ),
        {actor.id: MemberRole.member.value, person_id: MemberRole.member.value},
    )
    if private and burn_seconds is not None and conv.burn_seconds != burn_seconds:
        # Opened again with another time chosen: that is the new setting, for both of them.
        conv.burn_seconds = burn_seconds
        await _announce(db, conv, [actor.id, person_id])
    return await access_conversation(db, actor.id, conv.id)


async def open_devices(db: AsyncSession, actor: Actor) -> tuple[Conversation, ConversationMember]:
    conv = await _get_or_create_keyed(
        db,
        f"m:{actor.id}",
        Conversation(kind=ConversationKind.devices.value, name=None),
        {actor.id: MemberRole.owner.value},
    )
    return await access_conversation(db, actor.id, conv.id)


async def _check_visible(db: AsyncSession, scope: Scope, ids: set[int]) -> None:
    """Every id is an existing, active person the caller may see (admins: any existing one)."""
    if not ids:
        return
    visible = set(
        (
            await db.execute(
                select(Person.id).where(
                    Person.id.in_(ids),
                    access.visible_people_clause(scope),
                    Person.deactivated_at.is_(None),
                )
            )
        ).scalars()
    )
    missing = sorted(ids - visible)
    if missing:
        raise NotFound("person")


async def create_group(
    db: AsyncSession, actor: Actor, scope: Scope, data: GroupCreate
) -> tuple[Conversation, ConversationMember]:
    ids = set(data.member_ids) - {actor.id}
    await _check_visible(db, scope, ids)
    members = {pid: MemberRole.member.value for pid in ids}
    members[actor.id] = MemberRole.owner.value
    conv = await _new_conversation(
        db,
        Conversation(kind=ConversationKind.group.value, name=data.name.strip(), owner_id=actor.id),
        members,
    )
    await _announce(db, conv, list(members))
    await _system_message(db, conv, actor.id, "group.created", {"name": conv.name})
    return await access_conversation(db, actor.id, conv.id)


async def update_group(
    db: AsyncSession, actor: Actor, conversation_id: int, data: GroupUpdate
) -> tuple[Conversation, ConversationMember]:
    conv, me = await access_conversation(db, actor.id, conversation_id, lock=True)
    fields = data.model_fields_set
    if conv.private:
        # A private chat has only its burn time to set (no name, no avatar, no system messages).
        if fields - {"burn_seconds"}:
            raise Forbidden("not_a_group")
        if data.burn_seconds is not None:
            conv.burn_seconds = data.burn_seconds
    else:
        _require_group(conv)
        _require_admin(me)
    if "name" in fields and data.name:
        conv.name = data.name.strip()
        await _system_message(db, conv, actor.id, "group.renamed", {"name": conv.name})
    if "avatar_file_id" in fields:
        if data.avatar_file_id is not None:
            f = await db.get(StoredFile, data.avatar_file_id)
            if f is None or f.conversation_id != conv.id or not f.content_type.startswith("image/"):
                raise Invalid("bad_avatar", errors=[{"field": "avatar_file_id"}])
            if await _file_in_message(db, f.id):  # recalling that message would delete it
                raise Invalid("bad_avatar", errors=[{"field": "avatar_file_id"}])
        conv.avatar_file_id = data.avatar_file_id
    await _announce(db, conv, await _member_ids(db, conv.id))
    return conv, me


async def _member_ids(db: AsyncSession, conversation_id: int) -> list[int]:
    rows = await db.execute(
        select(ConversationMember.person_id).where(
            ConversationMember.conversation_id == conversation_id,
            ConversationMember.left_seq.is_(None),
        )
    )
    return list(rows.scalars())


async def _add(db: AsyncSession, conv: Conversation, roles: dict[int, str]) -> list[int]:
    """Adds (or brings back) people; returns those actually added."""
    if not roles:
        return []
    existing = {
        m.person_id: m
        for m in (
            await db.execute(
                select(ConversationMember).where(
                    ConversationMember.conversation_id == conv.id,
                    ConversationMember.person_id.in_(list(roles)),
                )
            )
        ).scalars()
    }
    added = []
    for pid, role in roles.items():
        m = existing.get(pid)
        if m is None:
            db.add(
                ConversationMember(
                    conversation_id=conv.id,
                    person_id=pid,
                    role=role,
                    joined_seq=conv.last_seq,
                    last_read_seq=conv.last_seq,
                )
            )
            added.append(pid)
        elif m.left_seq is not None:
            m.left_seq = None
            m.joined_seq = conv.last_seq
            m.last_read_seq = max(m.last_read_seq, conv.last_seq)
            m.role = role
            added.append(pid)
        elif m.role != role and m.role != MemberRole.owner.value:
            m.role = role
    conv.member_count += len(added)
    await db.flush()
    return added


async def _remove(db: AsyncSession, conv: Conversation, ids: list[int]) -> list[int]:
    rows = await _active_members(db, conv.id, ids)
    for m in rows:
        m.left_seq = conv.last_seq
    conv.member_count -= len(rows)
    await db.flush()
    return [m.person_id for m in rows]


async def _members_changed(
    db: AsyncSession, conv: Conversation, added: list[int], removed: list[int]
) -> None:
    if not added and not removed:
        return
    emit(
        db,
        ev.MembersChanged(
            conversation_id=conv.id, added=added, removed=removed, member_count=conv.member_count
        ),
        conversation_id=conv.id,
        add=added,
        remove=removed,
    )
    if added:
        await _announce(db, conv, added)
    for pid in removed:
        emit(db, ev.ConversationRemoved(conversation_id=conv.id), people=[pid])


async def add_members(
    db: AsyncSession, actor: Actor, scope: Scope, conversation_id: int, ids: list[int]
) -> list[int]:
    conv, me = await access_conversation(db, actor.id, conversation_id, lock=True)
    _require_group(conv)
    _require_admin(me)
    wanted = set(ids) - {actor.id}
    await _check_visible(db, scope, wanted)
    if conv.member_count + len(wanted) > MAX_GROUP:
        raise Invalid("group_too_large", max=MAX_GROUP)
    added = await _add(db, conv, {pid: MemberRole.member.value for pid in wanted})
    if added:
        await _system_message(db, conv, actor.id, "members.added", {"person_ids": added})
    await _members_changed(db, conv, added, [])
    return added


async def remove_member(
    db: AsyncSession, actor: Actor, conversation_id: int, person_id: int
) -> None:
    conv, me = await access_conversation(db, actor.id, conversation_id, lock=True)
    _require_group(conv)
    if person_id == actor.id:
        return await leave(db, actor, conversation_id)
    _require_admin(me)
    target = next(iter(await _active_members(db, conv.id, [person_id])), None)
    if target is None:
        raise NotFound("person")
    if target.role == MemberRole.owner.value or (
        target.role == MemberRole.admin.value and me.role != MemberRole.owner.value
    ):
        raise Forbidden("cannot_remove_admin")
    removed = await _remove(db, conv, [person_id])
    await _system_message(db, conv, actor.id, "members.removed", {"person_ids": removed})
    await _members_changed(db, conv, [], removed)
    return None


async def leave(db: AsyncSession, actor: Actor, conversation_id: int) -> None:
    conv, me = await access_conversation(db, actor.id, conversation_id, lock=True)
    if conv.kind == ConversationKind.unit.value:
        raise Forbidden("unit_group_follows_roster")
    if conv.kind != ConversationKind.group.value:
        raise Forbidden("not_a_group")
    if me.role == MemberRole.owner.value:
        # Hand ownership to the longest-standing admin, else member; alone: dissolve.
        heir = (
            await db.execute(
                select(ConversationMember)
                .where(
                    ConversationMember.conversation_id == conv.id,
                    ConversationMember.person_id != actor.id,
                    ConversationMember.left_seq.is_(None),
                )
                .order_by(
                    (ConversationMember.role != MemberRole.admin.value), ConversationMember.id
                )
            )
        ).scalar()
        if heir is None:
            await dissolve(db, actor, conversation_id)
            return
        heir.role = MemberRole.owner.value
        conv.owner_id = heir.person_id
    removed = await _remove(db, conv, [actor.id])
    await _system_message(db, conv, actor.id, "members.left", {"person_ids": removed})
    await _members_changed(db, conv, [], removed)
    await _announce(db, conv, [conv.owner_id] if conv.owner_id else [])


async def dissolve(db: AsyncSession, actor: Actor, conversation_id: int) -> None:
    conv, me = await access_conversation(db, actor.id, conversation_id, lock=True)
    _require_group(conv)
    if me.role != MemberRole.owner.value:
        raise Forbidden("group_owner_only")
    ids = await _member_ids(db, conv.id)
    conv.dissolved_at = utcnow()
    emit(db, ev.ConversationRemoved(conversation_id=conv.id), conversation_id=conv.id, remove=ids)


async def set_role(
    db: AsyncSession, actor: Actor, conversation_id: int, person_id: int, role: str
) -> None:
    conv, me = await access_conversation(db, actor.id, conversation_id, lock=True)
    _require_group(conv)
    if me.role != MemberRole.owner.value:
        raise Forbidden("group_owner_only")
    if person_id == actor.id:
        # The owner stays owner until handing the group to someone else.
        raise Invalid("cannot_change_own_role", errors=[{"field": "role"}])
    target = next(iter(await _active_members(db, conv.id, [person_id])), None)
    if target is None:
        raise NotFound("person")
    if role == MemberRole.owner.value:
        me.role = MemberRole.admin.value
        conv.owner_id = person_id
    target.role = role
    await _announce(db, conv, [actor.id, person_id])


# ---------------------------------------------------------------- messages


async def _next_seq(db: AsyncSession, conv: Conversation) -> int:
    """Takes the next sequence number; the row update serialises senders of one conversation."""
    now = utcnow()
    seq = (
        await db.execute(
            update(Conversation)
            .where(Conversation.id == conv.id)
            .values(last_seq=Conversation.last_seq + 1, last_message_at=now)
            .returning(Conversation.last_seq)
            .execution_options(synchronize_session=False)
        )
    ).scalar_one()
    conv.last_seq = seq
    conv.last_message_at = now
    return int(seq)


async def _system_message(
    db: AsyncSession, conv: Conversation, actor_id: int | None, what: str, params: dict[str, Any]
) -> Message:
    if params.get("person_ids"):
        # Names as they were at the time, so clients can say who joined or left; of a crowd,
        # the first few and the count (the message goes to every member's list and devices).
        ids = list(params["person_ids"])[:SYSTEM_NAMES]
        people = await _people(db, set(ids))
        params = {
            **params,
            "count": len(params["person_ids"]),
            "person_ids": ids,
            "names": [people[p].name for p in ids if p in people],
        }
    seq = await _next_seq(db, conv)
    msg = Message(
        conversation_id=conv.id,
        seq=seq,
        sender_id=actor_id,
        kind=MessageKind.system.value,
        body=orjson.dumps({"event": what, **params}).decode(),
    )
    db.add(msg)
    await db.flush()
    await db.execute(
        update(ConversationMember)
        .where(
            ConversationMember.conversation_id == conv.id,
            ConversationMember.person_id == actor_id,
            ConversationMember.last_read_seq < seq,
        )
        .values(last_read_seq=seq)
    )
    out = (await messages_out(db, conv, 0, [msg], with_receipts=False))[0]
    emit(db, ev.MessageNew(conversation_id=conv.id, message=out), conversation_id=conv.id)
    return msg


async def can_mention_all(db: AsyncSession, conv: Conversation, me: ConversationMember) -> bool:
    if _is_admin(me):
        return True
    if conv.kind == ConversationKind.unit.value and conv.unit_id is not None:
        found = await db.execute(
            select(Membership.id).where(
                Membership.person_id == me.person_id,
                Membership.unit_id == conv.unit_id,
                Membership.role.in_((Role.teacher.value, Role.head.value)),
            )
        )
        return found.first() is not None
    return False


async def send_message(
    db: AsyncSession, actor: Actor, conversation_id: int, data: MessageCreate
) -> tuple[MessageOut, bool]:
    """Stores a message; returns it and whether it is new (False: a retry of an earlier send)."""
    earlier = (
        await db.execute(
            select(Message).where(
                Message.sender_id == actor.id, Message.client_msg_id == data.client_msg_id
            )
        )
    ).scalar()
    if earlier is not None:
        if earlier.conversation_id != conversation_id:
            raise Conflict("client_msg_id_reused")
        conv, me = await access_conversation(db, actor.id, conversation_id)
        return (await messages_out(db, conv, actor.id, [earlier], joined_seq=me.joined_seq))[
            0
        ], False
    conv, me = await access_conversation(db, actor.id, conversation_id)
    body = (data.body or "").strip() or None
    file: StoredFile | None = None
    if data.kind == "text":
        if body is None:
            raise Invalid("empty_message", errors=[{"field": "body"}])
        if data.file_id is not None:
            raise Invalid("text_has_file", errors=[{"field": "file_id"}])
    else:
        if data.file_id is None:
            raise Invalid("file_required", errors=[{"field": "file_id"}])
        file = await db.get(StoredFile, data.file_id)
        if file is None or file.conversation_id != conv.id or file.owner_id != actor.id:
            raise NotFound("file")
        if data.kind == "image" and not file.content_type.startswith("image/"):
            raise Invalid("not_an_image", errors=[{"field": "file_id"}])
        if await _file_in_use(db, file):
            # One file, one message: recalling or burning a message deletes its file.
            raise Conflict("file_already_sent", errors=[{"field": "file_id"}])
    mentions: list[int | str] = []
    if data.mentions:
        ids = {m for m in data.mentions if isinstance(m, int)}
        if "all" in data.mentions:
            if not await can_mention_all(db, conv, me):
                raise Forbidden("mention_all_not_allowed")
            mentions.append("all")
        if ids:
            present = set(
                (
                    await db.execute(
                        select(ConversationMember.person_id).where(
                            ConversationMember.conversation_id == conv.id,
                            ConversationMember.person_id.in_(ids),
                            ConversationMember.left_seq.is_(None),
                        )
                    )
                ).scalars()
            )
            if ids - present:
                raise Invalid("mention_not_member", errors=[{"field": "mentions"}])
            mentions.extend(sorted(ids))
    reply_preview = None
    if data.reply_to_seq is not None:
        quoted = await _find_message(db, conv, data.reply_to_seq)
        # Gone (burned), not one's to see (before one joined), or a group notice: nothing to quote.
        if quoted is None or quoted.seq <= me.joined_seq or quoted.kind == MessageKind.system:
            raise Invalid("reply_not_found", errors=[{"field": "reply_to_seq"}])
        reply_preview = _preview(conv, actor.id, quoted, await _unseal(db, [quoted]))
    file_shown = None
    if file is not None:
        file_shown = (await _files(db, {file.id})).get(file.id)
        if file_shown is None:  # a private file whose key is gone
            raise NotFound("file")
    # A private chat's message is sealed with a key of its own, kept outside the database.
    key_id: str | None = None
    key = b""
    sealed: bytes | None = None
    if conv.private:
        key_id, key = sealing.new_key()
        sealed = await asyncio.to_thread(sealing.seal_message, key, key_id, body, mentions)
    # Everything above only read. The sequence number is taken last, so the conversation's row
    # (PostgreSQL) or the database (SQLite) stays locked only for the statements up to commit.
    seq = await _next_seq(db, conv)
    msg = Message(
        conversation_id=conv.id,
        seq=seq,
        sender_id=actor.id,
        kind=data.kind,
        body=None if conv.private else body,
        mentions=None if conv.private else (mentions or None),
        reply_to_seq=data.reply_to_seq,
        file_id=file.id if file else None,
        client_msg_id=data.client_msg_id,
        created_at=utcnow(),
        key_id=key_id,
        sealed=sealed,
    )
    db.add(msg)
    try:
        await db.flush()
    except IntegrityError as exc:
        # The same client_msg_id is being stored by a concurrent request; its retry will
        # find it and get the original back.
        raise Conflict("client_msg_id_in_flight") from exc
    if key_id is not None:
        # Before the commit, so a committed message always has its key; should the commit
        # fail, the orphan sweep shreds the key.
        ref = sealing.KeyRef.message(msg.id, key_id)
        await asyncio.to_thread(sealing.write_key, data_dir_of(db), ref, key)
    # Sending reads everything before it.
    if me.last_read_seq < seq:
        me.last_read_seq = seq
    out = MessageOut(
        conversation_id=conv.id,
        seq=seq,
        sender=PersonRef(id=actor.id, name=actor.person.name),
        kind=msg.kind,
        body=body,
        mentions=mentions,
        reply_to_seq=data.reply_to_seq,
        reply_preview=reply_preview,
        file=file_shown,
        client_msg_id=data.client_msg_id,
        created_at=msg.created_at,
        unread_count=max(0, conv.member_count - 1),  # nobody else has read it yet
    )
    event = out.model_copy(update={"unread_count": None})
    if conv.private:
        # The recipient gets it hidden until opened; the sender's own devices get the text.
        hidden = event.model_copy(
            update={
                "body": None,
                "mentions": [],
                "reply_preview": None,
                "file": None,
                "client_msg_id": None,
            }
        )
        others = [p for p in await _member_ids(db, conv.id) if p != actor.id]
        emit(db, ev.MessageNew(conversation_id=conv.id, message=event), people=[actor.id])
        emit(db, ev.MessageNew(conversation_id=conv.id, message=hidden), people=others)
    else:
        # client_msg_id is carried so the sender's devices can match their pending send.
        newcomers: list[int] = []
        if data.reply_to_seq is not None and reply_preview:
            # Who joined after the quoted message gets the quote without its text.
            newcomers = list(
                (
                    await db.execute(
                        select(ConversationMember.person_id).where(
                            ConversationMember.conversation_id == conv.id,
                            ConversationMember.left_seq.is_(None),
                            ConversationMember.joined_seq >= data.reply_to_seq,
                        )
                    )
                ).scalars()
            )
        emit(
            db,
            ev.MessageNew(conversation_id=conv.id, message=event),
            conversation_id=conv.id,
            exclude=newcomers,
        )
        if newcomers:
            bare = event.model_copy(update={"reply_preview": None, "client_msg_id": None})
            emit(db, ev.MessageNew(conversation_id=conv.id, message=bare), people=newcomers)
    return out, True


async def list_messages(
    db: AsyncSession,
    actor: Actor,
    conversation_id: int,
    before_seq: int | None,
    after_seq: int | None,
    limit: int,
    q: str | None,
) -> MessagePage:
    conv, me = await access_conversation(db, actor.id, conversation_id)
    stmt = select(Message).where(Message.conversation_id == conv.id, Message.seq > me.joined_seq)
    if q and conv.private:
        return await _search_private(db, conv, actor.id, stmt, before_seq, after_seq, limit, q)
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            Message.body.ilike(like, escape="\\"),
            Message.recalled_at.is_(None),
            Message.kind != MessageKind.system.value,
        )
        if conv.private:
            stmt = stmt.where(or_(Message.sender_id == actor.id, Message.opened_at.isnot(None)))
    if after_seq is not None:
        stmt = stmt.where(Message.seq > after_seq).order_by(Message.seq).limit(limit + 1)
        rows = list((await db.execute(stmt)).scalars())
        more = len(rows) > limit
        rows = rows[:limit]
    else:
        if before_seq is not None:
            stmt = stmt.where(Message.seq < before_seq)
        stmt = stmt.order_by(Message.seq.desc()).limit(limit + 1)
        rows = list((await db.execute(stmt)).scalars())
        more = len(rows) > limit
        rows = list(reversed(rows[:limit]))
    return MessagePage(
        items=await messages_out(db, conv, actor.id, rows, joined_seq=me.joined_seq),
        has_more=more,
    )


async def _search_private(
    db: AsyncSession,
    conv: Conversation,
    viewer_id: int,
    stmt: Select[Message],
    before_seq: int | None,
    after_seq: int | None,
    limit: int,
    q: str,
) -> MessagePage:
    """Search in a private chat: its text is sealed, so the messages the viewer may read are
    opened batch by batch and matched here (case-insensitively)."""
    needle = q.casefold()
    stmt = stmt.where(
        Message.recalled_at.is_(None),
        Message.kind != MessageKind.system.value,
        or_(Message.sender_id == viewer_id, Message.opened_at.isnot(None)),
    )
    forward = after_seq is not None
    found: list[Message] = []
    batch = 200
    edge = after_seq if forward else before_seq
    while len(found) <= limit:
        if forward:
            page = stmt.where(Message.seq > edge).order_by(Message.seq)
        else:
            page = stmt.order_by(Message.seq.desc())
            if edge is not None:
                page = page.where(Message.seq < edge)
        rows = list((await db.execute(page.limit(batch))).scalars())
        opened = await _unseal(db, rows)
        for m in rows:
            content = _content(m, opened)
            if content and content.body and needle in content.body.casefold():
                found.append(m)
        if len(rows) < batch:
            break
        edge = rows[-1].seq
    more = len(found) > limit
    found = found[:limit]
    if not forward:
        found.reverse()
    return MessagePage(items=await messages_out(db, conv, viewer_id, found), has_more=more)


async def mark_read(db: AsyncSession, person_id: int, conversation_id: int, seq: int) -> ReadOut:
    """Moves one's read cursor forward to `seq` (reading one message reads all before it)."""
    conv, me = await access_conversation(db, person_id, conversation_id)
    seq = min(seq, conv.last_seq)
    old = me.last_read_seq
    if seq > old:
        await db.execute(
            update(ConversationMember)
            .where(ConversationMember.id == me.id, ConversationMember.last_read_seq < seq)
            .values(last_read_seq=seq)
            .execution_options(synchronize_session=False)
        )
        me.last_read_seq = seq
        # Tell one's own devices; and the senders whose messages just got read, so their
        # "N unread" moves. A sender hears no more than their receipts tell: how far the reader
        # got among the sender's own messages, never the reader's position in the conversation.
        newest = await db.execute(
            select(Message.sender_id, func.max(Message.seq))
            .where(
                Message.conversation_id == conv.id,
                Message.seq > old,
                Message.seq <= seq,
                Message.sender_id.isnot(None),
                Message.sender_id != person_id,
                Message.kind != MessageKind.system.value,
            )
            .group_by(Message.sender_id)
        )
        senders_at: dict[int, list[int]] = defaultdict(list)
        for sender, top in newest:
            if sender is not None:
                senders_at[int(top)].append(sender)
        emit(
            db,
            ev.ReadMoved(conversation_id=conv.id, person_id=person_id, last_read_seq=seq),
            people=[person_id],
        )
        for top, senders in sorted(senders_at.items()):
            emit(
                db,
                ev.ReadMoved(conversation_id=conv.id, person_id=person_id, last_read_seq=top),
                people=sorted(senders),
            )
    return ReadOut(
        conversation_id=conv.id,
        last_read_seq=me.last_read_seq,
        unread=me.unread(conv.last_seq),
    )


async def _file_in_message(db: AsyncSession, file_id: int) -> bool:
    """Whether a message carries the file (recalling or burning that message deletes it)."""
    found = await db.execute(select(Message.id).where(Message.file_id == file_id).limit(1))
    return found.first() is not None


async def _file_in_use(db: AsyncSession, file: StoredFile) -> bool:
    """Whether a message carries the file already, or it is its group's avatar."""
    if await _file_in_message(db, file.id):
        return True
    avatar = await db.execute(
        select(Conversation.id).where(Conversation.avatar_file_id == file.id).limit(1)
    )
    return avatar.first() is not None


async def _find_message(db: AsyncSession, conv: Conversation, seq: int) -> Message | None:
    return (
        await db.execute(
            select(Message).where(Message.conversation_id == conv.id, Message.seq == seq)
        )
    ).scalar()


async def _message(db: AsyncSession, conv: Conversation, seq: int) -> Message:
    msg = await _find_message(db, conv, seq)
    if msg is None:
        raise NotFound("message")
    return msg


async def recall(
    db: AsyncSession, actor: Actor, conversation_id: int, seq: int, data_dir: Any
) -> None:
    """Sender within 2 minutes, group owner/admins any time. The content is gone from the server."""
    conv, me = await access_conversation(db, actor.id, conversation_id)
    msg = await _message(db, conv, seq)
    if msg.seq <= me.joined_seq:
        raise NotFound("message")
    if msg.recalled_at is not None:
        return
    if msg.kind == MessageKind.system.value:
        raise Forbidden("cannot_recall_system")
    own = msg.sender_id == actor.id
    in_time = utcnow() - msg.created_at <= RECALL_WINDOW
    group_admin = conv.kind in (
        ConversationKind.group.value,
        ConversationKind.unit.value,
    ) and _is_admin(me)
    if not ((own and in_time) or group_admin):
        raise Forbidden("recall_window_passed" if own else "recall_not_allowed")
    msg.recalled_at = utcnow()
    msg.recalled_by = actor.id
    msg.body = None
    msg.mentions = None
    if msg.key_id is not None:
        # The key goes once the recall is committed (a recall that rolls back keeps the message
        # readable); if this node dies in between, the orphan sweep shreds it.
        ref = sealing.KeyRef.message(msg.id, msg.key_id)
        msg.key_id = None
        msg.sealed = None
        keys_dir = Path(data_dir)

        async def shred_key() -> None:
            await asyncio.to_thread(sealing.shred, keys_dir, [ref])

        on_commit(db, shred_key)
    if msg.file_id is not None:
        await filestore.delete_file(db, data_dir, msg.file_id)
        msg.file_id = None
    engine = db.bind
    if isinstance(engine, AsyncEngine) and engine.dialect.name == "sqlite":
        # The old text and file name are overwritten in the database (secure_delete), but the
        # WAL still holds the pages that had them: empty it before the recall answers.
        sqlite = engine

        async def scrub() -> None:
            await scrub_sqlite(sqlite)

        on_commit(db, scrub)
    emit(
        db,
        ev.MessageRecalled(conversation_id=conv.id, seq=seq, recalled_by=actor.id),
        conversation_id=conv.id,
    )


async def open_private(
    db: AsyncSession, actor: Actor, conversation_id: int, seq: int
) -> MessageOut:
    """The recipient opens a burn-after-reading message; its countdown starts now."""
    conv, _me = await access_conversation(db, actor.id, conversation_id)
    if not conv.private:
        raise Invalid("not_private")
    msg = await _message(db, conv, seq)
    if msg.sender_id != actor.id and msg.opened_at is None:
        now = utcnow()
        msg.opened_at = now
        msg.expires_at = now + timedelta(seconds=conv.burn_seconds or DEFAULT_BURN_SECONDS)
        emit(
            db,
            ev.MessageOpened(conversation_id=conv.id, seq=seq, expires_at=msg.expires_at),
            conversation_id=conv.id,
        )
        # Burned by a job at its deadline (chat/jobs.py), committed with the opening.
        await enqueue(
            db, "chat.burn", {"message": msg.id}, run_at=msg.expires_at, key=f"chat.burn:{msg.id}"
        )
        await mark_read(db, actor.id, conversation_id, seq)
    return (await messages_out(db, conv, actor.id, [msg]))[0]


async def next_burn_at(db: AsyncSession) -> datetime | None:
    """When the next opened private message is due to burn, if any is."""
    return (await db.execute(select(func.min(Message.expires_at)))).scalar_one_or_none()


async def burn_expired(db: AsyncSession, data_dir: Any) -> int:
    """Deletes every opened private message whose time is up: its key (which makes whatever
    copies of its ciphertext the database still holds unreadable), its file, file key and
    thumbnail, and its row. Returns how many."""
    rows = (
        (
            await db.execute(
                select(Message)
                .where(Message.expires_at.isnot(None), Message.expires_at <= utcnow())
                .order_by(Message.expires_at)
                .limit(500)
                # Several nodes sweep at once on PostgreSQL: each takes rows the others do not.
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )
    refs = [sealing.KeyRef.message(m.id, m.key_id) for m in rows if m.key_id is not None]
    if refs:
        await asyncio.to_thread(sealing.shred, Path(data_dir), refs)
    for msg in rows:
        if msg.file_id is not None:
            await filestore.delete_file(db, data_dir, msg.file_id)
    # Announced after every file's shredding was queued: after-commit work runs in order, so
    # a client told "deleted" finds nothing left.
    for msg in rows:
        emit(
            db,
            ev.MessageDeleted(conversation_id=msg.conversation_id, seq=msg.seq),
            conversation_id=msg.conversation_id,
        )
    if rows:
        await db.execute(delete(Message).where(Message.id.in_([m.id for m in rows])))
    return len(rows)


async def upload_file(
    db: AsyncSession,
    actor: Actor,
    conversation_id: int,
    name: str,
    claimed_type: str | None,
    data: bytes,
) -> FileOut:
    """Stores a file to send in this conversation (encrypted in a private one)."""
    conv, _ = await access_conversation(db, actor.id, conversation_id)
    f = await filestore.store(
        db,
        data_dir_of(db),
        actor.id,
        conv.id,
        name,
        claimed_type,
        data,
        private=conv.private,
    )
    return file_out(f, filestore.clean_name(name))


async def file_readable(
    db: AsyncSession, conv: Conversation, me: ConversationMember, f: StoredFile
) -> bool:
    """Whether the member `me` of `conv` (the file's conversation) may read the file. Its id is
    no secret (ids are sequential), so a file follows the message that carries it: readable by
    those who may see that message (sent after they joined, not recalled; in a private chat,
    the recipient once they opened it), by its uploader (an upload not sent yet, which the
    sender's client shows while it sends), and, as the group's avatar, by every member."""
    if f.owner_id == me.person_id or conv.avatar_file_id == f.id:
        return True
    stmt = select(Message.id).where(
        Message.file_id == f.id,
        Message.conversation_id == conv.id,
        Message.seq > me.joined_seq,
        Message.recalled_at.is_(None),
    )
    if conv.private:
        stmt = stmt.where(or_(Message.sender_id == me.person_id, Message.opened_at.isnot(None)))
    return (await db.execute(stmt.limit(1))).first() is not None


ORPHAN_GRACE = timedelta(minutes=10)


async def sweep_orphan_keys(
    db: AsyncSession, data_dir: Path, grace: timedelta = ORPHAN_GRACE
) -> int:
    """Shreds key files that belong to no row: written for a message or file whose transaction
    then failed, or left when a node died between a recall's commit and its shredding. Keys
    younger than `grace` are left alone (their transaction may still be committing). Returns
    how many were shredded."""
    refs, stale = await asyncio.to_thread(
        sealing.old_key_files, data_dir, time.time() - grace.total_seconds()
    )
    orphans: list[sealing.KeyRef] = []
    for prefix, model in (("m", Message), ("f", StoredFile)):
        mine = [r for r in refs if r.owner[0] == prefix]
        for i in range(0, len(mine), 500):
            chunk = mine[i : i + 500]
            ids = {int(r.owner[1:]) for r in chunk}
            rows = await db.execute(select(model.id, model.key_id).where(model.id.in_(ids)))
            live = {(f"{prefix}{rid}", kid) for rid, kid in rows}
            orphans.extend(r for r in chunk if (r.owner, r.key_id) not in live)
    if orphans or stale:

        def work() -> None:
            sealing.shred(data_dir, orphans)
            sealing.shred_paths(stale)

        await asyncio.to_thread(work)
    return len(orphans)


# ---------------------------------------------------------------- read receipts


async def _cursors(db: AsyncSession, conv: Conversation) -> list[tuple[int, int, int | None, int]]:
    rows = await db.execute(
        select(
            ConversationMember.person_id,
            ConversationMember.joined_seq,
            ConversationMember.left_seq,
            ConversationMember.last_read_seq,
        ).where(ConversationMember.conversation_id == conv.id)
    )
    return [(a, b, c, d) for a, b, c, d in rows]


async def receipt_counts(
    db: AsyncSession, conv: Conversation, messages: Sequence[Message]
) -> list[ReceiptCount]:
    """Read/unread counts for many messages with one query over the members' cursors.

    Eligible readers of message s: members other than its sender who joined before s
    (joined_seq < s) and had not left before it (left_seq is null or >= s).
    """
    if not messages:
        return []
    cursors = await _cursors(db, conv)
    first = min(m.seq for m in messages)
    # Members present for every message in the batch: count with a sorted list and bisect.
    steady = sorted(r for _, j, left, r in cursors if j < first and left is None)
    steady_ids = {p for p, j, left, _ in cursors if j < first and left is None}
    others = [(p, j, left, r) for p, j, left, r in cursors if not (j < first and left is None)]
    read_of = {p: r for p, _, _, r in cursors}
    out = []
    for m in messages:
        s = m.seq
        unread = bisect.bisect_left(steady, s)
        total = len(steady)
        if m.sender_id in steady_ids:
            total -= 1
            if read_of[m.sender_id] < s:
                unread -= 1
        for p, j, left, r in others:
            if p == m.sender_id or j >= s or (left is not None and left < s):
                continue
            total += 1
            if r < s:
                unread += 1
        out.append(ReceiptCount(seq=s, read_count=total - unread, unread_count=unread))
    return out


@functools.cache
def receipt_members_statement() -> Select[int, int, str, str | None]:
    """Members who could have read message :seq of :conv (not its :sender), with their read
    cursor, name and the unit path of each of their memberships (None for a unit archived),
    ordered by name, then person, then membership. Built once; bound per call.

    No aggregate: the first membership (a guardian's is the child's class) is picked by the
    caller from the ordered rows. A `min(membership.id) GROUP BY person` subquery joined here
    let PostgreSQL, on tables not yet analysed (a school just imported), run that aggregate
    once per member in a nested loop: 1.7 s for 3,000 members where a hash join takes 8 ms.
    Plain joins on indexed keys stay linear whatever the planner believes."""
    seq = bindparam("seq", type_=Integer)
    return (
        select(
            ConversationMember.person_id,
            ConversationMember.last_read_seq,
            Person.name,
            Unit.path,
        )
        .join(Person, Person.id == ConversationMember.person_id)
        .outerjoin(Membership, Membership.person_id == ConversationMember.person_id)
        .outerjoin(Unit, and_(Unit.id == Membership.unit_id, Unit.archived_at.is_(None)))
        .where(
            ConversationMember.conversation_id == bindparam("conv", type_=BigInteger),
            ConversationMember.person_id != bindparam("sender", type_=BigInteger),
            ConversationMember.joined_seq < seq,
            or_(ConversationMember.left_seq.is_(None), ConversationMember.left_seq >= seq),
        )
        .order_by(Person.sort_key, ConversationMember.person_id, Membership.id)
    )


async def receipt(db: AsyncSession, actor: Actor, conversation_id: int, seq: int) -> ReceiptData:
    """Who has read message `seq` and who has not, grouped by unit. Only its sender may ask."""
    conv, _me = await access_conversation(db, actor.id, conversation_id)
    msg = await _message(db, conv, seq)
    if msg.sender_id != actor.id:
        raise Forbidden("receipt_sender_only")
    conn = await db.connection()  # plain rows: no ORM loading for thousands of them
    rows = await conn.execute(
        receipt_members_statement(), {"conv": conv.id, "sender": actor.id, "seq": seq}
    )
    # One row per (member, membership), a member's rows together and their first membership
    # first: each member once, with the path of their first membership in a unit not archived.
    members: list[tuple[int, int, str, str | None]] = []
    for pid, last, name, path in rows:
        if members and members[-1][0] == pid:
            if members[-1][3] is None and path is not None:
                members[-1] = (pid, last, name, path)
        else:
            members.append((pid, last, name, path))
    names = await path_names(db, {path for *_, path in members if path})
    labels = {
        path: "/".join(parts[1:] if len(parts) > 2 else parts) for path, parts in names.items()
    }
    # Plain data: 3,000 pydantic objects would cost more than the query.
    read: dict[str | None, list[PersonRefData]] = defaultdict(list)
    unread: dict[str | None, list[PersonRefData]] = defaultdict(list)
    for pid, last, name, path in members:
        person: PersonRefData = {"id": pid, "name": name}
        (read if last >= seq else unread)[labels.get(path) if path else None].append(person)

    def groups(d: dict[str | None, list[PersonRefData]]) -> list[ReceiptGroupData]:
        return [
            {"unit": k, "people": v}
            for k, v in sorted(d.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
        ]

    n_read = sum(len(v) for v in read.values())
    return {
        "conversation_id": conv.id,
        "seq": seq,
        "read_count": n_read,
        "unread_count": len(members) - n_read,
        "read": groups(read),
        "unread": groups(unread),
    }
