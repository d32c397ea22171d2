"""Messages and conversations as one person sees them, and telling members' devices about a
conversation.

What a viewer sees: nothing said before they joined (not even as a quote's preview or the
list's last message); in a private chat, the recipient's copy hidden until opened; a sealed
message whose key is gone reads as burned."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.chat import events as ev
from bellwork.chat import sealing
from bellwork.chat.access import active_members
from bellwork.chat.attachments import data_dir_of, files_out
from bellwork.chat.live import emit
from bellwork.chat.models import (
    DOMAIN_CARDS,
    Conversation,
    ConversationKind,
    ConversationMember,
    MemberRole,
    Message,
    MessageKind,
)
from bellwork.chat.receipts import receipt_counts
from bellwork.chat.schemas import (
    ApprovalCard,
    CallCard,
    ConversationOut,
    FormCard,
    HistoryCard,
    HistoryItem,
    HistorySource,
    LessonCard,
    MeetingCard,
    MessageOut,
    NoticeCard,
    ParentOfOut,
    PersonRef,
    ReportCard,
)
from bellwork.core.caches import kept_by_id
from bellwork.org import photos
from bellwork.org.guardians import ParentOf, parents_of
from bellwork.org.models import Person, Unit, UnitKind
from bellwork.runtime import has_runtime, runtime_of

PREVIEW = 80
CARD_PREVIEW = 4  # messages of a chat-history card shown in the conversation


def card_out(card: dict[str, Any] | None) -> HistoryCard | None:
    """What a chat-history card (`Message.card`) shows in the conversation: its title, its
    size and its first few messages, texts cut short (all of them: chat/forwarding.py)."""
    if card is None:
        return None
    items = card.get("items", [])
    preview = [HistoryItem.model_validate(i) for i in items[:CARD_PREVIEW]]
    for item in preview:
        if item.text is not None:
            item.text = item.text[:PREVIEW]
    return HistoryCard(
        source=HistorySource.model_validate(card["source"]), count=len(items), preview=preview
    )


def notice_card(kind: str, card: dict[str, Any] | None) -> NoticeCard | None:
    """What a notice's card in a unit group opens (kind "notice", notices/cards.py)."""
    if kind != MessageKind.notice or card is None:
        return None
    return NoticeCard.model_validate(card)


def form_card(kind: str, card: dict[str, Any] | None) -> FormCard | None:
    """What a form's card in a unit group opens (kind "form", forms/cards.py)."""
    if kind != MessageKind.form or card is None:
        return None
    return FormCard.model_validate(card)


def report_card(kind: str, card: dict[str, Any] | None) -> ReportCard | None:
    """What a work report's card in a direct chat opens (kind "report", reports/cards.py)."""
    if kind != MessageKind.report or card is None:
        return None
    return ReportCard.model_validate(card)


def approval_card(kind: str, card: dict[str, Any] | None) -> ApprovalCard | None:
    """What an approval request's card in a direct chat opens (kind "approval",
    approvals/cards.py)."""
    if kind != MessageKind.approval or card is None:
        return None
    return ApprovalCard.model_validate(card)


def lesson_card(kind: str, card: dict[str, Any] | None) -> LessonCard | None:
    """What a live lesson's card in a class group opens (kind "lesson", lessons/cards.py)."""
    if kind != MessageKind.lesson or card is None:
        return None
    return LessonCard.model_validate(card)


def meeting_card(kind: str, card: dict[str, Any] | None) -> MeetingCard | None:
    """What a meeting's card in its conversation opens (kind "meeting", meetings/cards.py)."""
    if kind != MessageKind.meeting or card is None:
        return None
    return MeetingCard.model_validate(card)


def call_card(kind: str, card: dict[str, Any] | None) -> CallCard | None:
    """How a 1:1 call went (kind "call", calls/service.py)."""
    if kind != MessageKind.call or card is None:
        return None
    return CallCard.model_validate(card)


def history_card(kind: str, card: dict[str, Any] | None) -> HistoryCard | None:
    """A chat-history card's content; a unit card's `card` is what it opens, shown by its own
    field (`notice`, `form`), not as a chat history."""
    return card_out(card) if kind not in DOMAIN_CARDS else None


def parent_out(p: ParentOf | None) -> ParentOfOut | None:
    return ParentOfOut(**asdict(p)) if p is not None else None


async def near_path(db: AsyncSession, conv: Conversation) -> str | None:
    """The unit a unit group belongs to: whose students a guardian there is shown the parent of."""
    if conv.unit_id is None:
        return None
    return await db.scalar(select(Unit.path).where(Unit.id == conv.unit_id))


async def person_refs(
    db: AsyncSession, ids: set[int], conv: Conversation | None = None
) -> dict[int, PersonRef]:
    """People by id, guardians as their child's parent (`org.guardians`): in `conv`'s unit
    group, a child of that unit first."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = await db.execute(
        select(Person.id, Person.name, Person.photo_key).where(Person.id.in_(ids))
    )
    parents = await parents_of(db, ids, (lambda: near_path(db, conv)) if conv else None)
    return {
        pid: PersonRef(
            id=pid,
            name=name,
            parent_of=parent_out(parents.get(pid)),
            photo_url=photos.url_of(pid, photo),
        )
        for pid, name, photo in rows
    }


# How the sender of a message just posted is shown, by (person, conversation): a person posts
# many messages in a row, and looking up whether they are a guardian each time was a quarter of
# a message's cost in a big group (docs/benchmarks-chat.md, session 9). Their name comes fresh
# with each request; a change of whose parent they are shows in live messages within SENDER_TTL
# seconds (history and lists are read afresh).
SENDER_TTL = 30.0
_SENDERS: dict[tuple[int, int], tuple[float, ParentOfOut | None]] = {}
_SENDERS_MAX = 10_000


kept_by_id(_SENDERS.clear)


async def sender_ref(
    db: AsyncSession, person_id: int, name: str, conv: Conversation, photo_key: str | None = None
) -> PersonRef:
    """The sender of a message posted into `conv` as `person_refs` shows them."""
    now = time.monotonic()
    key = (person_id, conv.id)
    kept = _SENDERS.get(key)
    if kept is None or kept[0] < now:
        parents = await parents_of(db, (person_id,), lambda: near_path(db, conv))
        kept = (now + SENDER_TTL, parent_out(parents.get(person_id)))
        if len(_SENDERS) >= _SENDERS_MAX:
            _SENDERS.clear()
        _SENDERS[key] = kept
    return PersonRef(
        id=person_id, name=name, parent_of=kept[1], photo_url=photos.url_of(person_id, photo_key)
    )


async def unseal(db: AsyncSession, messages: Iterable[Message]) -> dict[int, sealing.Content]:
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


def message_content(m: Message, opened: dict[int, sealing.Content]) -> sealing.Content | None:
    """A message's text and mentions; None when it is sealed and its key is gone."""
    if m.key_id is None:
        return sealing.Content(body=m.body, mentions=list(m.mentions or []))
    return opened.get(m.id)


def _visible(conv: Conversation, m: Message, viewer_id: int) -> bool:
    """In a private chat, a message is hidden from the recipient until they open it."""
    return not conv.private or m.sender_id == viewer_id or m.opened_at is not None


def preview(
    conv: Conversation, viewer_id: int, m: Message | None, opened: dict[int, sealing.Content]
) -> str | None:
    if m is None or m.recalled_at is not None or not _visible(conv, m, viewer_id):
        return None
    content = message_content(m, opened)
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
    people = await person_refs(db, {m.sender_id for m in messages if m.sender_id}, conv)
    files = await files_out(db, {m.file_id for m in messages if m.file_id})
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
    opened = await unseal(db, [*visible, *quoted])
    out = []
    for m in messages:
        shown = m.recalled_at is None and _visible(conv, m, viewer_id)
        content = message_content(m, opened) if shown else None
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
                reply_preview=preview(conv, viewer_id, replies.get(m.reply_to_seq), opened)
                if m.reply_to_seq and m.reply_to_seq > joined_seq and content
                else None,
                file=files.get(m.file_id) if (m.file_id and content) else None,
                card=history_card(m.kind, m.card) if shown else None,
                notice=notice_card(m.kind, m.card) if shown else None,
                form=form_card(m.kind, m.card) if shown else None,
                report=report_card(m.kind, m.card) if shown else None,
                lesson=lesson_card(m.kind, m.card) if shown else None,
                approval=approval_card(m.kind, m.card) if shown else None,
                meeting=meeting_card(m.kind, m.card) if shown else None,
                call=call_card(m.kind, m.card) if shown else None,
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
            select(ConversationMember.conversation_id, Person.id, Person.name, Person.photo_key)
            .join(Person, Person.id == ConversationMember.person_id)
            .where(
                ConversationMember.conversation_id.in_(direct_ids),
                ConversationMember.person_id != viewer_id,
            )
        )
        found = list(rows2)
        parents = await parents_of(db, {pid for _, pid, _, _ in found})
        peers = {
            cid: PersonRef(
                id=pid,
                name=name,
                parent_of=parent_out(parents.get(pid)),
                photo_url=photos.url_of(pid, photo),
            )
            for cid, pid, name, photo in found
        }
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
                pinned=mem.pinned_at is not None,
                last_seq=conv.last_seq,
                last_read_seq=mem.last_read_seq,
                unread=mem.unread(conv.last_seq),
                mention_seq=mem.unread_mention(mem.mention_seq),
                mention_all_seq=mem.unread_mention(conv.mention_all_seq),
                last_message=msg_out,
                last_message_at=conv.last_message_at,
                peer=peer,
                join_mode=conv.join_mode if conv.kind == ConversationKind.group.value else None,
            )
        )
    return out


async def conversation_out(
    db: AsyncSession, viewer_id: int, conv: Conversation, member: ConversationMember
) -> ConversationOut:
    return (await conversations_out(db, viewer_id, [(conv, member)]))[0]


def _seen_by(m: MessageOut | None, joined_seq: int) -> MessageOut | None:
    """A message as one who joined at `joined_seq` may see it: nothing from before, and no
    preview of a quote from before."""
    if m is None or m.seq <= joined_seq:
        return None
    if m.reply_to_seq is not None and m.reply_to_seq <= joined_seq and m.reply_preview:
        return m.model_copy(update={"reply_preview": None})
    return m


async def announce(db: AsyncSession, conv: Conversation, people: list[int]) -> None:
    """Tell these members' devices about the conversation (new to them, or changed)."""
    if not has_runtime(db) or not runtime_of(db).has_audience:
        return  # nobody to tell (the demo loader): skip building the answers
    members = await active_members(db, conv.id, people)
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
                    "pinned": mem.pinned_at is not None,
                    "last_read_seq": mem.last_read_seq,
                    "unread": mem.unread(conv.last_seq),
                    "mention_seq": mem.unread_mention(mem.mention_seq),
                    "mention_all_seq": mem.unread_mention(conv.mention_all_seq),
                    "last_message": _seen_by(last, mem.joined_seq),
                }
            )
        emit(
            db,
            ev.ConversationUpdated(conversation=view),
            people=[mem.person_id],
            subscribe=conv.id,
        )
