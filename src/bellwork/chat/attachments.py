"""Files in conversations: uploading one to send, who may read it, how it is shown.

A file belongs to the message that carries it (one message per file: recalling or burning the
message deletes the file), to the chat-history card that lists it (`card_seq`: recalling the
card deletes its files), or is its group's avatar. The bytes are stored by `chat/files.py` in
the runtime's store (files/); a forwarded file is a row of its own sharing them."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat import files as filestore
from bellwork.chat.access import access_conversation
from bellwork.chat.models import (
    Conversation,
    ConversationMember,
    Message,
    MessageKind,
    StoredFile,
)
from bellwork.chat.schemas import FileOut
from bellwork.runtime import runtime_of


def data_dir_of(db: AsyncSession) -> Path:
    """The data folder of the session's runtime, whose keys/ holds private chats' keys (the
    files themselves are in `runtime.files`, chat/files.py)."""
    return runtime_of(db).data_dir


def file_out(f: StoredFile, name: str | None = None) -> FileOut:
    return FileOut(
        id=f.id,
        name=f.name if name is None else name,
        content_type=f.content_type,
        size=f.size,
        width=f.width,
        height=f.height,
        has_thumbnail=f.thumb_key is not None,
        duration_ms=f.duration_ms,
    )


async def files_out(db: AsyncSession, ids: set[int]) -> dict[int, FileOut]:
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


async def file_in_message(db: AsyncSession, file_id: int) -> bool:
    """Whether a message (or a chat-history card) carries the file (recalling or burning that
    message deletes it)."""
    found = await db.execute(select(Message.id).where(Message.file_id == file_id).limit(1))
    if found.first() is not None:
        return True
    card = await db.execute(
        select(StoredFile.id).where(StoredFile.id == file_id, StoredFile.card_seq.isnot(None))
    )
    return card.first() is not None


async def delete_message_files(db: AsyncSession, data_dir: Path, msg: Message) -> None:
    """Deletes the files a message carries (recalled or burned): its own, or a card's. The
    bytes go with the last row naming them (chat/files.py); `data_dir` holds private keys."""
    if msg.file_id is not None:
        await filestore.delete_file(db, data_dir, msg.file_id)
        msg.file_id = None
    if msg.kind == MessageKind.history.value:
        ids = (
            await db.execute(
                select(StoredFile.id).where(
                    StoredFile.conversation_id == msg.conversation_id,
                    StoredFile.card_seq == msg.seq,
                )
            )
        ).scalars()
        for file_id in list(ids):
            await filestore.delete_file(db, data_dir, file_id)


async def file_in_use(db: AsyncSession, file: StoredFile) -> bool:
    """Whether a message carries the file already, or it is its group's avatar."""
    if await file_in_message(db, file.id):
        return True
    avatar = await db.execute(
        select(Conversation.id).where(Conversation.avatar_file_id == file.id).limit(1)
    )
    return avatar.first() is not None


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
    sender's client shows while it sends), and, as the group's avatar, by every member. A
    file inside a chat-history card follows the card the same way."""
    if f.owner_id == me.person_id or conv.avatar_file_id == f.id:
        return True
    carried = Message.file_id == f.id if f.card_seq is None else Message.seq == f.card_seq
    stmt = select(Message.id).where(
        carried,
        Message.conversation_id == conv.id,
        Message.seq > me.joined_seq,
        Message.recalled_at.is_(None),
    )
    if conv.private:
        stmt = stmt.where(or_(Message.sender_id == me.person_id, Message.opened_at.isnot(None)))
    return (await db.execute(stmt.limit(1))).first() is not None
