"""A conversation's history as one member may read it: pages back, catching up, searching (a
message's text or the name of its file)."""

from __future__ import annotations

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat.access import access_conversation
from bellwork.chat.attachments import files_out
from bellwork.chat.models import Conversation, Message, MessageKind, StoredFile
from bellwork.chat.schemas import MessagePage
from bellwork.chat.shaping import message_content, messages_out, unseal


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
        # The text, or the name of the file the message carries.
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        named = select(StoredFile.id).where(
            StoredFile.id == Message.file_id, StoredFile.name.ilike(like, escape="\\")
        )
        stmt = stmt.where(
            or_(Message.body.ilike(like, escape="\\"), exists(named)),
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
    """Search in a private chat: its text and file names are sealed, so the messages the viewer
    may read are opened batch by batch and matched here (case-insensitively)."""
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
        opened = await unseal(db, rows)
        files = await files_out(db, {m.file_id for m in rows if m.file_id is not None})
        for m in rows:
            content = message_content(m, opened)
            file = files.get(m.file_id) if m.file_id is not None else None
            if (content and content.body and needle in content.body.casefold()) or (
                file is not None and needle in file.name.casefold()
            ):
                found.append(m)
        if len(rows) < batch:
            break
        edge = rows[-1].seq
    more = len(found) > limit
    found = found[:limit]
    if not forward:
        found.reverse()
    return MessagePage(items=await messages_out(db, conv, viewer_id, found), has_more=more)
