"""Chat's files: what is uploaded to send in a conversation, kept in the runtime's store
(files/: the data folder's files/ or an S3-compatible bucket), sealed in private conversations
(chat/sealing.py), deleted with the message that carries them.

Checking the bytes (type from the bytes, never the client's claim; thumbnails) is files/sniff.py;
who may read a file is chat's: chat/attachments.py decides, chat/api.py answers. The bytes of a
private conversation's file, its thumbnail and its name are encrypted with a key of their own
that never leaves this installation's key folder, so what reaches the store is ciphertext.

Forwarding a file (chat/forwarding.py) neither copies nor moves its bytes: `share` adds a row of
its own in the target conversation (its own owner, its own message, its own access) naming the
same objects in the store. A message's file is still one row per message, so recalling or
burning a message deletes its row as before; `delete_file` deletes the bytes only with the last
row that names them, so recalling the original leaves every forwarded copy readable and
recalling a copy leaves the original. Copying instead would cost a write of up to 50 MB per file
and target (100 messages to 9 conversations: 900 copies) for nothing a reader could tell apart.
Private conversations' files are sealed with a key of their own and are never shared (their
messages cannot be forwarded, nor can anything be forwarded into a private chat).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.chat import sealing
from bellwork.chat.models import StoredFile
from bellwork.db.session import on_commit
from bellwork.files import Storage, new_key
from bellwork.files.sniff import Sniffed, claim_matches, clean_name, inspect, sniff
from bellwork.files.storage import object_name
from bellwork.runtime import runtime_of

__all__ = [
    "MAX_FILE",
    "MAX_IMAGE",
    "Sniffed",
    "claim_matches",
    "clean_name",
    "delete_file",
    "key_ref",
    "lock_for_sharing",
    "open_private",
    "path_of",
    "read_name",
    "share",
    "sniff",
    "storage_of",
    "store",
]

MAX_FILE = 50 * 1024 * 1024
MAX_IMAGE = 20 * 1024 * 1024


def storage_of(db: AsyncSession) -> Storage:
    """The store of the session's runtime."""
    return runtime_of(db).files


async def store(
    db: AsyncSession,
    data_dir: Path,
    owner_id: int,
    conversation_id: int,
    name: str,
    claimed_type: str | None,
    data: bytes,
    private: bool = False,
) -> StoredFile:
    """Checks and stores an upload. `private`: the bytes, thumbnail and name are encrypted with
    a fresh key (chat/sealing.py) kept in `data_dir`'s key folder, written once the row has its
    id."""
    sniffed = await inspect(data, claimed_type, MAX_FILE, MAX_IMAGE)
    size = len(data)
    name = clean_name(name)
    thumbnail = sniffed.thumbnail
    key_id: str | None = None
    key = b""
    sealed_name: bytes | None = None
    if private:
        key_id, key = sealing.new_key()
        kid = key_id

        def encrypt() -> tuple[bytes, bytes | None, bytes]:
            return (
                sealing.seal(key, "file", kid, data),
                sealing.seal(key, "thumb", kid, thumbnail) if thumbnail is not None else None,
                sealing.seal(key, "name", kid, name.encode()),
            )

        data, thumbnail, sealed_name = await asyncio.to_thread(encrypt)
    files = storage_of(db)
    storage_key = new_key()
    thumb_key = f"{storage_key}.thumb" if thumbnail is not None else None
    await files.put(storage_key, data)
    if thumb_key is not None and thumbnail is not None:
        await files.put(thumb_key, thumbnail)
    f = StoredFile(
        owner_id=owner_id,
        conversation_id=conversation_id,
        name="" if private else name,
        content_type=sniffed.content_type,
        size=size,
        # Of what is stored: a hash of a private file's plaintext would outlive its burning.
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=storage_key,
        thumb_key=thumb_key,
        width=sniffed.width,
        height=sniffed.height,
        key_id=key_id,
        sealed_name=sealed_name,
        duration_ms=sniffed.duration_ms,
    )
    try:
        db.add(f)
        await db.flush()
        if key_id is not None:
            ref = sealing.KeyRef.file(f.id, key_id)
            await asyncio.to_thread(sealing.write_key, data_dir, ref, key)
    except BaseException:
        with contextlib.suppress(Exception):
            await files.delete_many([k for k in (storage_key, thumb_key) if k is not None])
        raise
    return f


def path_of(data_dir: Path, key: str) -> Path:
    """Where the default local store keeps `key` (`<data dir>/files/<2>/<key>`). A bucket has no
    path: read through `storage_of(db)`, answer downloads with files.responses.send."""
    return data_dir / "files" / object_name(key)


def key_ref(f: StoredFile) -> sealing.KeyRef | None:
    return sealing.KeyRef.file(f.id, f.key_id) if f.key_id else None


def read_name(data_dir: Path, f: StoredFile) -> str | None:
    """The file's name; None for a private file whose key is gone (blocking)."""
    ref = key_ref(f)
    if ref is None:
        return f.name
    key = sealing.read_key(data_dir, ref)
    if key is None or f.sealed_name is None:
        return None
    raw = sealing.unseal(key, "name", ref.key_id, f.sealed_name)
    return raw.decode() if raw is not None else None


async def open_private(
    files: Storage, data_dir: Path, f: StoredFile, thumbnail: bool
) -> bytes | None:
    """A private file's bytes (or thumbnail), decrypted; None if its key or its object is gone."""
    ref = key_ref(f)
    storage_key = f.thumb_key if thumbnail else f.storage_key
    if ref is None or storage_key is None:
        return None
    key = await asyncio.to_thread(sealing.read_key, data_dir, ref)
    if key is None:
        return None
    blob = await files.get(storage_key)
    if blob is None:
        return None
    purpose = "thumb" if thumbnail else "file"
    return await asyncio.to_thread(sealing.unseal, key, purpose, ref.key_id, blob)


async def share(
    db: AsyncSession, source: StoredFile, owner_id: int, conversation_id: int
) -> StoredFile:
    """A row for `source`'s bytes in another conversation (forwarding): the same objects in the
    store, its own id, owner and conversation. The caller adds it to the session (several at
    once) and links it to the message that carries it. `source` must have been read with
    `lock_for_sharing`, so that a recall deleting it at the same moment waits for this
    transaction (and then leaves the bytes to the new row), or this one finds it gone."""
    if source.key_id is not None:
        raise ValueError("a private conversation's file is never shared")
    return StoredFile(
        owner_id=owner_id,
        conversation_id=conversation_id,
        name=source.name,
        content_type=source.content_type,
        size=source.size,
        sha256=source.sha256,
        storage_key=source.storage_key,
        thumb_key=source.thumb_key,
        width=source.width,
        height=source.height,
    )


async def lock_for_sharing(db: AsyncSession, ids: set[int]) -> dict[int, StoredFile]:
    """The files by id, locked against deletion until the transaction ends (FOR SHARE on
    PostgreSQL; SQLite's writers take turns anyway). A file deleted meanwhile is missing."""
    if not ids:
        return {}
    rows = await db.execute(
        select(StoredFile)
        .where(StoredFile.id.in_(ids))
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    return {f.id: f for f in rows.scalars()}


async def delete_file(db: AsyncSession, data_dir: Path, file_id: int) -> None:
    """Deletes the file's row, and with the last row naming its bytes (forwarded copies share
    them) the bytes, thumbnail and key (if private). The key is shredded first: from then on
    whatever copies of the ciphertext a store keeps are noise."""
    f = await db.get(StoredFile, file_id)
    if f is None:
        return
    key = f.storage_key
    ref = key_ref(f)
    keys = [key] + ([f.thumb_key] if f.thumb_key else [])
    if ref is None:
        # Every row of these bytes, locked (PostgreSQL): two recalls of two copies take turns,
        # so the second sees the first's row gone and deletes the bytes; a forward sharing
        # this row at the same moment has it locked, and its new row is seen below.
        await db.execute(
            select(StoredFile.id)
            .where(StoredFile.storage_key == key)
            .order_by(StoredFile.id)
            .with_for_update()
        )
    await db.delete(f)
    await db.flush()
    others = await db.scalar(
        select(func.count()).select_from(StoredFile).where(StoredFile.storage_key == key)
    )
    if ref is None and others:
        return  # forwarded copies (or their original) still show these bytes
    files = storage_of(db)

    async def after_commit() -> None:
        if ref is not None:
            await asyncio.to_thread(sealing.shred, data_dir, [ref])
        await files.delete_many(keys)

    # After commit: a recall or burn that rolls back must not leave a message whose file is gone.
    on_commit(db, after_commit)
