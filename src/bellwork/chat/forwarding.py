"""Forwarding (转发): messages of one conversation to others, one by one (逐条转发) or merged into
one chat-history card (合并转发, a message of kind "history": "张三和李四的聊天记录").

The rules (docs/chat.md, "Forwarding"):
- the source is a conversation the sender may read (a member; only what was said after they
  joined); its messages are neither recalled nor system notices, and it is not a private
  (burn-after-reading) chat, whose messages must vanish and so are never copied;
- the targets (at most 9) are conversations the sender is a member of, none of them private: a
  copy of shared bytes cannot be burned;
- at most 100 messages; all of it is checked before anything is written, and one transaction
  posts everything (or, on any error, nothing).

Every message is posted by `chat.messages.post_message`, so targets get the usual `message.new`
and unread counts; a card is one message, so forwarding to a 3,000-member group costs what
sending one message there costs. A forwarded image or file is a row of its own in the target
conversation sharing the original's bytes (`chat.files.share`; that module's docstring says why
and how deletion stays correct): a single forwarded file is carried by its message (`file_id`),
the files of a card by the card (`StoredFile.card_seq`), and each is readable by whoever may see
the message that carries it. A card stores its messages (`Message.card`): the sender as they
were shown, the time, the kind, the text or the file's copy; a card forwarded into a card keeps
its title only.

A retry with the same `client_msg_id` returns the first forward's messages: each message posted
carries `<client_msg_id>/<target>/<n>`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat import files as filestore
from bellwork.chat.access import access_conversation, get_message
from bellwork.chat.attachments import file_out
from bellwork.chat.messages import post_message
from bellwork.chat.models import (
    Conversation,
    ConversationKind,
    ConversationMember,
    Message,
    MessageKind,
    StoredFile,
)
from bellwork.chat.schemas import (
    MAX_FORWARD,
    MAX_FORWARD_TARGETS,
    ForwardCreate,
    History,
    HistoryItem,
    HistoryPerson,
    HistorySource,
    MessageOut,
)
from bellwork.chat.shaping import messages_out, person_refs
from bellwork.core.errors import Forbidden, Invalid, NotFound, Problem

# A group announcement goes on as its text (the announcement stays its group's).
FORWARDABLE = (
    MessageKind.text,
    MessageKind.image,
    MessageKind.file,
    MessageKind.history,
    MessageKind.announcement,
)
AS_TEXT = (MessageKind.text.value, MessageKind.announcement.value)


def derived_id(client_msg_id: str, target: int, n: int) -> str:
    """The `client_msg_id` of the `n`th message a forward posts into `target`."""
    return f"{client_msg_id}/{target}/{n}"


def _unique(ids: Sequence[int]) -> list[int]:
    return list(dict.fromkeys(ids))


async def forward(
    db: AsyncSession, actor: Actor, data: ForwardCreate
) -> tuple[list[MessageOut], bool]:
    """Forwards `data.seqs` of `data.conversation_id` to `data.targets`: each message as one of
    its own, or (`merged`) all as one chat-history card; then the note, if any. Returns what was
    posted, target by target, and whether it is new (False: a retry of an earlier forward)."""
    seqs = sorted(set(data.seqs))
    targets = _unique(data.targets)
    if len(seqs) > MAX_FORWARD:
        raise Invalid("forward_too_many", errors=[{"field": "seqs"}], limit=MAX_FORWARD)
    if len(targets) > MAX_FORWARD_TARGETS:
        raise Invalid(
            "forward_too_many_targets", errors=[{"field": "targets"}], limit=MAX_FORWARD_TARGETS
        )
    # Per target: the card or each message, and the note.
    count = (1 if data.merged else len(seqs)) + 1
    earlier = await _earlier(db, actor, data, targets, count)
    if earlier is not None:
        return earlier, False
    source, me = await access_conversation(db, actor.id, data.conversation_id)
    if source.private:
        raise Forbidden("forward_private")
    messages = await _forwardable(db, source, me, seqs)
    convs = await _targets(db, actor, targets)
    files = await _source_files(db, messages)
    people = await person_refs(db, {m.sender_id for m in messages if m.sender_id}, source)
    senders = {
        pid: HistoryPerson(id=p.id, name=p.name, parent_of=p.parent_of) for pid, p in people.items()
    }
    items = [_item(m, senders, files) for m in messages]
    title = await _source_title(db, source, actor) if data.merged else None
    note = (data.note or "").strip() or None
    out: list[MessageOut] = []
    for conv in convs:
        n = 0

        def next_id(conv: Conversation = conv) -> str:
            nonlocal n
            n += 1
            return derived_id(data.client_msg_id, conv.id, n - 1)

        if title is not None:
            out.append(await _post_card(db, actor, conv, title, items, files, next_id()))
        else:
            for m in messages:
                out.append(await _post_copy(db, actor, conv, m, files, next_id()))
        if note is not None:
            out.append(await post_message(db, conv, actor.person, note, client_msg_id=next_id()))
    return out, True


async def _earlier(
    db: AsyncSession, actor: Actor, data: ForwardCreate, targets: list[int], count: int
) -> list[MessageOut] | None:
    """A retry: the messages the first forward with this id posted (all of them, as it
    committed at once), as the sender sees them now; None for a new forward. `count`: how
    many messages it may have posted into each target."""
    first = derived_id(data.client_msg_id, targets[0], 0)
    found = await db.execute(
        select(Message.id).where(Message.sender_id == actor.id, Message.client_msg_id == first)
    )
    if found.first() is None:
        return None
    out: list[MessageOut] = []
    for target in targets:
        ids = [derived_id(data.client_msg_id, target, n) for n in range(count)]
        posted = list(
            (
                await db.execute(
                    select(Message)
                    .where(Message.sender_id == actor.id, Message.client_msg_id.in_(ids))
                    .order_by(Message.seq)
                )
            ).scalars()
        )
        if not posted:
            continue
        try:
            conv, me = await access_conversation(db, actor.id, target)
        except NotFound:
            continue  # left since
        out.extend(await messages_out(db, conv, actor.id, posted, joined_seq=me.joined_seq))
    return out


async def _forwardable(
    db: AsyncSession, source: Conversation, me: ConversationMember, seqs: list[int]
) -> list[Message]:
    """The messages to forward, oldest first; refused unless each may be forwarded."""
    rows = await db.execute(
        select(Message).where(Message.conversation_id == source.id, Message.seq.in_(seqs))
    )
    found = {m.seq: m for m in rows.scalars()}
    out = []
    for seq in seqs:
        m = found.get(seq)
        where = [{"field": "seqs", "seq": seq}]
        if m is None or seq <= me.joined_seq:
            # Burned, never there, or said before one joined: alike.
            raise Problem("forward_message_missing", 404, errors=where)
        if m.recalled_at is not None:
            raise Invalid("forward_recalled", errors=where)
        if m.kind == MessageKind.system.value:
            raise Invalid("forward_system", errors=where)
        if m.kind not in FORWARDABLE:
            raise Invalid("forward_not_allowed", errors=where)
        out.append(m)
    return out


async def _targets(db: AsyncSession, actor: Actor, ids: list[int]) -> list[Conversation]:
    """The target conversations, in the order given; each one the sender is in and may post
    to (not a private chat)."""
    out = []
    for cid in ids:
        where = [{"field": "targets", "id": cid}]
        try:
            conv, _ = await access_conversation(db, actor.id, cid)
        except NotFound:
            # Missing, dissolved, or not one's own: alike.
            raise Problem("forward_target_unknown", 404, errors=where) from None
        if conv.private:
            raise Forbidden("forward_to_private", errors=where)
        out.append(conv)
    return out


def _card_file_ids(card: dict[str, Any] | None) -> set[int]:
    ids = set()
    for item in (card or {}).get("items", []):
        file = item.get("file")
        if file is not None:
            ids.add(int(file["id"]))
    return ids


async def _source_files(db: AsyncSession, messages: list[Message]) -> dict[int, StoredFile]:
    """The files the messages carry (their own, or their cards'), locked against a recall
    until the forward commits; a message whose file was deleted meanwhile was recalled."""
    wanted: set[int] = set()
    for m in messages:
        if m.file_id is not None:
            wanted.add(m.file_id)
        wanted |= _card_file_ids(m.card)
    files = await filestore.lock_for_sharing(db, wanted)
    for m in messages:
        if m.file_id is not None and m.file_id not in files:
            raise Invalid("forward_recalled", errors=[{"field": "seqs", "seq": m.seq}])
        if m.kind in (MessageKind.image.value, MessageKind.file.value) and m.file_id is None:
            raise Invalid("forward_recalled", errors=[{"field": "seqs", "seq": m.seq}])
    return files


def _item(
    m: Message, senders: dict[int, HistoryPerson], files: dict[int, StoredFile]
) -> HistoryItem:
    """A message as an item of a card; its file is the source's (replaced by each target's
    copy when posted)."""
    f = files.get(m.file_id) if m.file_id is not None else None
    source = None
    if m.kind == MessageKind.history.value and m.card is not None:
        source = HistorySource.model_validate(m.card["source"])
    return HistoryItem(
        sender=senders.get(m.sender_id) if m.sender_id is not None else None,
        created_at=m.created_at,
        kind=MessageKind.text.value if m.kind in AS_TEXT else m.kind,
        text=m.body if m.kind in AS_TEXT else None,
        file=file_out(f) if f is not None else None,
        source=source,
    )


async def _source_title(db: AsyncSession, source: Conversation, actor: Actor) -> HistorySource:
    """Whose chat history a card holds: a group's by its name; a direct chat's by its two
    people, the forwarder first; "my devices" by the forwarder."""
    if source.kind in (ConversationKind.group.value, ConversationKind.unit.value):
        return HistorySource(kind="group", name=source.name or "")
    ids = [actor.id]
    if source.kind == ConversationKind.direct.value:
        rows = await db.execute(
            select(ConversationMember.person_id).where(
                ConversationMember.conversation_id == source.id,
                ConversationMember.person_id != actor.id,
            )
        )
        ids.extend(rows.scalars())
    refs = await person_refs(db, set(ids), source)
    return HistorySource(
        kind="people",
        people=[
            HistoryPerson(id=p, name=refs[p].name, parent_of=refs[p].parent_of)
            for p in ids
            if p in refs
        ],
    )


async def _share(db: AsyncSession, actor: Actor, conv: Conversation, f: StoredFile) -> StoredFile:
    copy = await filestore.share(db, f, actor.id, conv.id)
    db.add(copy)
    return copy


async def _copy_card(
    db: AsyncSession,
    actor: Actor,
    conv: Conversation,
    items: list[dict[str, Any]],
    files: dict[int, StoredFile],
) -> tuple[list[dict[str, Any]], list[StoredFile]]:
    """A card's items for `conv`: each file replaced by a copy there (added, flushed)."""
    copies: dict[int, StoredFile] = {}
    for item in items:
        file = item.get("file")
        if file is not None and file["id"] in files:
            copies[file["id"]] = await _share(db, actor, conv, files[file["id"]])
    if copies:
        await db.flush()
    out = []
    for item in items:
        file = item.get("file")
        if file is not None:
            copy = copies.get(file["id"])
            item = {**item, "file": file_out(copy).model_dump() if copy is not None else None}
        out.append(item)
    return out, list(copies.values())


async def _post_card(
    db: AsyncSession,
    actor: Actor,
    conv: Conversation,
    title: HistorySource,
    items: list[HistoryItem],
    files: dict[int, StoredFile],
    client_msg_id: str,
) -> MessageOut:
    """One chat-history card of `items` into `conv`, its files copied there."""
    dumped = [i.model_dump(mode="json") for i in items]
    card_items, copies = await _copy_card(db, actor, conv, dumped, files)
    card = {"source": title.model_dump(mode="json"), "items": card_items}
    return await _post_history(db, actor, conv, card, copies, client_msg_id)


async def _post_history(
    db: AsyncSession,
    actor: Actor,
    conv: Conversation,
    card: dict[str, Any],
    copies: list[StoredFile],
    client_msg_id: str,
) -> MessageOut:
    out = await post_message(
        db, conv, actor.person, kind=MessageKind.history, card=card, client_msg_id=client_msg_id
    )
    for copy in copies:
        copy.card_seq = out.seq  # the card carries them (chat/attachments.py)
    return out


async def _post_copy(
    db: AsyncSession,
    actor: Actor,
    conv: Conversation,
    m: Message,
    files: dict[int, StoredFile],
    client_msg_id: str,
) -> MessageOut:
    """Message `m` forwarded as a message of its own into `conv`: its text, its file (a copy
    in `conv`), or its card (its files copied)."""
    if m.kind == MessageKind.history.value and m.card is not None:
        items, copies = await _copy_card(db, actor, conv, list(m.card.get("items", [])), files)
        card = {"source": m.card["source"], "items": items}
        return await _post_history(db, actor, conv, card, copies, client_msg_id)
    if m.file_id is not None:
        copy = await _share(db, actor, conv, files[m.file_id])
        await db.flush()
        return await post_message(
            db,
            conv,
            actor.person,
            m.body,
            kind=MessageKind(m.kind),
            file=copy,
            client_msg_id=client_msg_id,
        )
    return await post_message(db, conv, actor.person, m.body, client_msg_id=client_msg_id)


async def history(db: AsyncSession, actor: Actor, conversation_id: int, seq: int) -> History:
    """Every message of a chat-history card, for a member who may see the card."""
    conv, me = await access_conversation(db, actor.id, conversation_id)
    m = await get_message(db, conv, seq)
    if m.seq <= me.joined_seq or m.kind != MessageKind.history.value or m.card is None:
        raise NotFound("message")
    return History(
        conversation_id=conv.id,
        seq=m.seq,
        source=HistorySource.model_validate(m.card["source"]),
        items=[HistoryItem.model_validate(i) for i in m.card.get("items", [])],
    )
