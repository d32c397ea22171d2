"""Burn after reading: a private message is opened, then burned at its deadline (chat/jobs.py
runs `burn_expired`); key files that belong to no row are shredded (`sweep_orphan_keys`).
docs/chat.md, "Burn after reading", says what is guaranteed."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat import events as ev
from bellwork.chat import sealing
from bellwork.chat.access import access_conversation, get_message
from bellwork.chat.attachments import delete_message_files
from bellwork.chat.live import emit
from bellwork.chat.models import Message, StoredFile
from bellwork.chat.receipts import mark_read
from bellwork.chat.schemas import MessageOut
from bellwork.chat.shaping import messages_out
from bellwork.core.errors import Invalid
from bellwork.db.base import utcnow
from bellwork.jobs.queue import enqueue

DEFAULT_BURN_SECONDS = 30
ORPHAN_GRACE = timedelta(minutes=10)


async def open_private(
    db: AsyncSession, actor: Actor, conversation_id: int, seq: int
) -> MessageOut:
    """The recipient opens a burn-after-reading message; its countdown starts now."""
    conv, _me = await access_conversation(db, actor.id, conversation_id)
    if not conv.private:
        raise Invalid("not_private")
    msg = await get_message(db, conv, seq)
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
        await delete_message_files(db, Path(data_dir), msg)
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
