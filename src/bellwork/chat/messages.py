"""Posting into a conversation, sending as a member, recalling.

`post_message` is the one way a message comes into being: a member's send (`send_message`
checks the request, then posts), a group's notices (`post_notice`), and whatever another domain
posts (DING, robots, forms' reminders, notices). It takes the sequence number, stores the
message (sealed in a private chat), moves the sender's read position and queues the events
for after the commit. CONTRIBUTING.md, "Another domain posts into a conversation", shows a call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import orjson
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from bellwork.auth.service import Actor
from bellwork.chat import events as ev
from bellwork.chat import sealing, voice
from bellwork.chat.access import (
    access_conversation,
    find_message,
    get_message,
    is_admin,
    member_ids,
)
from bellwork.chat.attachments import data_dir_of, delete_message_files, file_in_use, files_out
from bellwork.chat.live import emit
from bellwork.chat.mentions import mark_mentioned, unmention
from bellwork.chat.models import (
    Conversation,
    ConversationKind,
    ConversationMember,
    Message,
    MessageKind,
    StoredFile,
)
from bellwork.chat.pushing import push_message
from bellwork.chat.schemas import MessageCreate, MessageOut
from bellwork.chat.shaping import (
    approval_card,
    call_card,
    form_card,
    history_card,
    lesson_card,
    meeting_card,
    messages_out,
    notice_card,
    person_refs,
    preview,
    report_card,
    sender_ref,
    unseal,
)
from bellwork.core.errors import Conflict, Forbidden, Invalid, NotFound
from bellwork.db.base import utcnow
from bellwork.db.engine import scrub_sqlite
from bellwork.db.session import on_commit
from bellwork.org.models import Membership, Person, Role

RECALL_WINDOW = timedelta(minutes=2)
SYSTEM_NAMES = 10  # people named in a system message; `count` says how many in all


# The statements of every send, built once (putting a statement together costs more CPU than
# running its cached compilation); the values are bound at execution.
_conversations = cast(Table, Conversation.__table__)
_NEXT_SEQ = (
    update(_conversations)
    .where(_conversations.c.id == bindparam("conversation"))
    .values(
        last_seq=_conversations.c.last_seq + 1,
        last_message_at=bindparam("now", type_=_conversations.c.last_message_at.type),
    )
    .returning(_conversations.c.last_seq)
)
_NEXT_SEQ_ALL = _NEXT_SEQ.values(mention_all_seq=_conversations.c.last_seq + 1)
_members = cast(Table, ConversationMember.__table__)
_READ_UP_TO = (
    update(_members)
    .where(
        _members.c.conversation_id == bindparam("in_conversation"),
        _members.c.person_id == bindparam("reader"),
        _members.c.last_read_seq < bindparam("below"),
    )
    .values(last_read_seq=bindparam("read_seq", type_=_members.c.last_read_seq.type))
    .returning(_members.c.id)
)
# A Core insert: nothing reads the new row back as an object in this session, and the ORM's
# unit of work costs more than the statement.
_messages = cast(Table, Message.__table__)
_INSERT_MESSAGE = insert(_messages).returning(_messages.c.id)
_SENT_BEFORE = select(Message).where(
    Message.sender_id == bindparam("sender_id"),
    Message.client_msg_id == bindparam("client_msg_id"),
)


async def _next_seq(db: AsyncSession, conv: Conversation, *, mentions_all: bool = False) -> int:
    """Takes the next sequence number; the row update serialises senders of one conversation.
    `mentions_all`: the message mentions everyone, which the same update records."""
    now = utcnow()
    stmt = _NEXT_SEQ_ALL if mentions_all else _NEXT_SEQ
    seq = int((await db.execute(stmt, {"conversation": conv.id, "now": now})).scalar_one())
    # The row already says so: the loaded object learns it without a second UPDATE at flush.
    set_committed_value(conv, "last_seq", seq)
    set_committed_value(conv, "last_message_at", now)
    if mentions_all:
        set_committed_value(conv, "mention_all_seq", seq)
    return seq


async def post_message(
    db: AsyncSession,
    conv: Conversation,
    sender: Person | None,
    body: str | None = None,
    *,
    kind: MessageKind = MessageKind.text,
    mentions: Sequence[int | str] = (),
    reply_to: Message | None = None,
    file: StoredFile | None = None,
    card: dict[str, Any] | None = None,
    client_msg_id: str | None = None,
) -> MessageOut:
    """Posts a message into `conv`; the one way a message is inserted. Returns it as its sender
    sees it (`unread_count`: the members who have not read it yet; None for a notice or a post
    without a person).

    The caller has decided that the post is allowed and checked what it passes (a member's send
    is checked by `send_message`; another domain applies its own rules): `body` as it is to be
    stored, `mentions` of current members (or "all"), `reply_to` a message of `conv` that is not
    a notice, `file` one uploaded into `conv` that no other message carries, `card` the
    content of a chat-history card (`kind=MessageKind.history`, chat/forwarding.py).

    `sender`: the person who says it, or None for a post by the system itself (a robot, a
    reminder, a DING escalation): no person is named, nobody's read position moves, and it is
    unread for every member. `kind=MessageKind.system` is a notice of what happened in a group
    (see `post_notice`). A private chat holds only its two people's own messages: a post without
    a person or a notice there is a programming error (ValueError).

    What stays as it is, whoever posts: the next sequence number of the conversation (taken last,
    so the conversation's row is locked only for the statements up to commit); the sender's read
    position moves past it (sending reads everything before it); events go out after the commit,
    to the conversation's topic, so only current members hear of it — and whoever joined after
    a quoted message gets the quote without its text; in a private chat the text is sealed with
    a key of its own and the recipient's copy is hidden until opened. `client_msg_id` makes a
    person's retry find the first message (a retry being stored at the same moment: Conflict
    `client_msg_id_in_flight`). Never commits."""
    if conv.dissolved_at is not None:
        raise NotFound("conversation")
    if conv.private and (sender is None or kind == MessageKind.system):
        raise ValueError("a private chat holds only its two people's own messages")
    said = list(mentions)
    viewer = sender.id if sender is not None else 0
    reply_preview = None
    if reply_to is not None:
        reply_preview = preview(conv, viewer, reply_to, await unseal(db, [reply_to]))
    file_shown = None
    if file is not None:
        file_shown = (await files_out(db, {file.id})).get(file.id)
        if file_shown is None:  # a private file whose key is gone
            raise NotFound("file")
    # A private chat's message is sealed with a key of its own, kept outside the database.
    key_id: str | None = None
    key = b""
    sealed: bytes | None = None
    if conv.private:
        key_id, key = sealing.new_key()
        sealed = await asyncio.to_thread(sealing.seal_message, key, key_id, body, said)
    # Everything above only read. The sequence number is taken last, so the conversation's row
    # (PostgreSQL) or the database (SQLite) stays locked only for the statements up to commit.
    # A private chat's mentions are sealed with its text: no marker gives them away.
    marks = [] if conv.private else said
    seq = await _next_seq(db, conv, mentions_all="all" in marks)
    created_at = utcnow()
    reply_to_seq = reply_to.seq if reply_to is not None else None
    row = {
        "conversation_id": conv.id,
        "seq": seq,
        "sender_id": sender.id if sender is not None else None,
        "kind": kind.value,
        "body": None if conv.private else body,
        "mentions": None if conv.private else (said or None),
        "reply_to_seq": reply_to_seq,
        "file_id": file.id if file is not None else None,
        "client_msg_id": client_msg_id,
        "created_at": created_at,
        "card": card,
        "key_id": key_id,
        "sealed": sealed,
    }
    try:
        message_id = int((await db.execute(_INSERT_MESSAGE, row)).scalar_one())
    except IntegrityError as exc:
        if client_msg_id is None:
            raise
        # The same client_msg_id is being stored by a concurrent request; its retry will
        # find it and get the original back.
        raise Conflict("client_msg_id_in_flight") from exc
    if key_id is not None:
        # Before the commit, so a committed message always has its key; should the commit
        # fail, the orphan sweep shreds the key.
        ref = sealing.KeyRef.message(message_id, key_id)
        await asyncio.to_thread(sealing.write_key, data_dir_of(db), ref, key)
    if marks:
        await mark_mentioned(db, conv, seq, marks, sender.id if sender is not None else 0)
    if sender is not None:
        # Sending reads everything before it.
        moved = (
            await db.execute(
                _READ_UP_TO,
                {"in_conversation": conv.id, "reader": sender.id, "below": seq, "read_seq": seq},
            )
        ).scalar()
        # The sender's membership, if this session has it loaded, learns its read position.
        loaded = (
            db.sync_session.identity_map.get(identity_key(ConversationMember, moved))
            if moved is not None
            else None
        )
        if loaded is not None:
            set_committed_value(loaded, "last_read_seq", seq)
    own = sender is not None and kind != MessageKind.system
    # A guardian's as their child's parent (org/guardians.py), like every other sender.
    shown = (
        await sender_ref(db, sender.id, sender.name, conv, sender.photo_key)
        if sender is not None
        else None
    )
    out = MessageOut(
        conversation_id=conv.id,
        seq=seq,
        sender=shown,
        kind=kind,
        body=body,
        mentions=said,
        reply_to_seq=reply_to_seq,
        reply_preview=reply_preview,
        file=file_shown,
        card=history_card(kind, card),
        notice=notice_card(kind, card),
        form=form_card(kind, card),
        report=report_card(kind, card),
        lesson=lesson_card(kind, card),
        approval=approval_card(kind, card),
        meeting=meeting_card(kind, card),
        call=call_card(kind, card),
        client_msg_id=client_msg_id,
        created_at=created_at,
        unread_count=max(0, conv.member_count - 1) if own else None,  # nobody else read it yet
    )
    await _deliver(db, conv, out)
    await push_message(db, conv, out, said)
    return out


async def _deliver(db: AsyncSession, conv: Conversation, out: MessageOut) -> None:
    """Queues `message.new` for after the commit: to the conversation's topic (its current
    members); in a private chat, the text to the sender's devices and a hidden copy to the
    other; whoever joined after a quoted message gets the quote without its text."""
    event = out.model_copy(update={"unread_count": None})
    if conv.private:
        assert out.sender is not None
        sender_id = out.sender.id
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
        others = [p for p in await member_ids(db, conv.id) if p != sender_id]
        emit(db, ev.MessageNew(conversation_id=conv.id, message=event), people=[sender_id])
        emit(db, ev.MessageNew(conversation_id=conv.id, message=hidden), people=others)
        return
    # client_msg_id is carried so the sender's devices can match their pending send.
    newcomers: list[int] = []
    if out.reply_to_seq is not None and out.reply_preview:
        # Who joined after the quoted message gets the quote without its text.
        newcomers = list(
            (
                await db.execute(
                    select(ConversationMember.person_id).where(
                        ConversationMember.conversation_id == conv.id,
                        ConversationMember.left_seq.is_(None),
                        ConversationMember.joined_seq >= out.reply_to_seq,
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


async def post_notice(
    db: AsyncSession, conv: Conversation, actor: Person | None, event: str, params: dict[str, Any]
) -> MessageOut:
    """A notice of what happened in a group (`kind: "system"`, docs/chat.md "System messages"):
    its body is JSON of `event` and `params`, which clients render in the reader's language.
    `actor`, who did it, is its sender (None: nobody in particular)."""
    if params.get("person_ids"):
        # Names as they were at the time, so clients can say who joined or left; of a crowd,
        # the first few and the count (the message goes to every member's list and devices).
        ids = list(params["person_ids"])[:SYSTEM_NAMES]
        people = await person_refs(db, set(ids))
        params = {
            **params,
            "count": len(params["person_ids"]),
            "person_ids": ids,
            "names": [people[p].name for p in ids if p in people],
        }
    body = orjson.dumps({"event": event, **params}).decode()
    return await post_message(db, conv, actor, body, kind=MessageKind.system)


async def can_mention_all(db: AsyncSession, conv: Conversation, me: ConversationMember) -> bool:
    if is_admin(me):
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
    """A member sends: checks the request and posts it (`post_message`). Returns the message
    and whether it is new (False: a retry of an earlier send)."""
    earlier = (
        await db.execute(_SENT_BEFORE, {"sender_id": actor.id, "client_msg_id": data.client_msg_id})
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
        if await file_in_use(db, file):
            # One file, one message: recalling or burning a message deletes its file.
            raise Conflict("file_already_sent", errors=[{"field": "file_id"}])
        if data.kind == "voice":
            voice.check(file, data.duration_ms)  # a recording of 1–60 s (chat/voice.py)
            body = None  # a recording says it all: no caption
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
    quoted: Message | None = None
    if data.reply_to_seq is not None:
        quoted = await find_message(db, conv, data.reply_to_seq)
        # Gone (burned), not one's to see (before one joined), or a group notice: nothing to quote.
        if quoted is None or quoted.seq <= me.joined_seq or quoted.kind == MessageKind.system:
            raise Invalid("reply_not_found", errors=[{"field": "reply_to_seq"}])
    out = await post_message(
        db,
        conv,
        actor.person,
        body,
        kind=MessageKind(data.kind),
        mentions=mentions,
        reply_to=quoted,
        file=file,
        client_msg_id=data.client_msg_id,
    )
    return out, True


async def recall(
    db: AsyncSession, actor: Actor, conversation_id: int, seq: int, data_dir: Any
) -> None:
    """Sender within 2 minutes, group owner/admins any time. The content is gone from the server."""
    conv, me = await access_conversation(db, actor.id, conversation_id)
    msg = await get_message(db, conv, seq)
    if msg.seq <= me.joined_seq:
        raise NotFound("message")
    if msg.recalled_at is not None:
        return
    if msg.kind in (MessageKind.system.value, MessageKind.call.value):
        # A notice of what happened (a call's note too: the system says it, in the caller's name).
        raise Forbidden("cannot_recall_system")
    own = msg.sender_id == actor.id
    in_time = utcnow() - msg.created_at <= RECALL_WINDOW
    group_admin = conv.kind in (
        ConversationKind.group.value,
        ConversationKind.unit.value,
    ) and is_admin(me)
    if not ((own and in_time) or group_admin):
        raise Forbidden("recall_window_passed" if own else "recall_not_allowed")
    said = list(msg.mentions or [])
    if msg.kind == MessageKind.announcement.value:
        from bellwork.chat.announcements import recalled  # it posts with this module

        await recalled(db, conv, seq)
    msg.recalled_at = utcnow()
    msg.recalled_by = actor.id
    msg.body = None
    msg.mentions = None
    if said:
        # Its "[有人@我]" / "[@所有人]" markers go back to the mention before it.
        await unmention(db, conv, seq, said)
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
    msg.card = None
    await delete_message_files(db, Path(data_dir), msg)
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
