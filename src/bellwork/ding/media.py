"""A DING's voice note and attachment (docs/ding.md, "Voice note and attachment").

The bytes are in the runtime's store (files/); the rows are DING's own (`DingFile`), and DING
decides who reads them:
- The sender uploads first (`upload`, for those who may DING): the file is theirs, loose, until
  a DING takes it. The type comes from the bytes (files/sniff.py); a recording's length from
  its container (files/audio.py).
- Sending names them (`DingCreate.voice_id`, `attachment_id`; `take`): each must be the
  sender's own and loose; the voice note must pass chat's voice-message rules (chat/voice.py:
  sound only, 1–60 s, at most 2 MB, the recorder's length and the recording's agreeing).
- Readable (`readable`): by the sender always; by a recipient once the DING went out, until it
  is recalled. Everyone else: 404, as for a file that does not exist.
- An upload no DING takes within a day is deleted (`delete_loose`, the `ding.loose_files` job).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat import voice
from bellwork.chat.shaping import person_refs
from bellwork.core.errors import Invalid, NotFound
from bellwork.ding.models import Ding, DingFile, DingMessage
from bellwork.ding.schemas import DingAlert, DingCreate, DingFileOut
from bellwork.files import uploads
from bellwork.runtime import runtime_of

MAX_FILE = 50 * 1024 * 1024
MAX_IMAGE = 20 * 1024 * 1024
LOOSE_FOR = uploads.LOOSE_FOR
VOICE = "voice"
ATTACHMENT = "attachment"


def url_of(file_id: int) -> str:
    return f"/api/v1/dings/files/{file_id}"


def out(f: DingFile) -> DingFileOut:
    return uploads.describe(f, DingFileOut, url_of(f.id), duration_ms=f.duration_ms)


async def upload(
    db: AsyncSession, actor: Actor, name: str, claimed_type: str | None, data: bytes
) -> DingFileOut:
    """Checks and stores a voice note or attachment for a DING the sender is writing (images up
    to 20 MB, other files 50 MB; the type from the bytes). Only those who may DING (the caller
    checks)."""
    store = runtime_of(db).files
    got = await uploads.receive(
        store, name, claimed_type, data, max_bytes=MAX_FILE, max_image=MAX_IMAGE
    )
    row = DingFile(owner_id=actor.id, duration_ms=got.duration_ms, **got.columns())
    return out(await uploads.add(db, store, row))


async def check(db: AsyncSession, actor: Actor, data: DingCreate) -> dict[str, DingFile]:
    """The uploads a DING about to be sent names, by role, checked before anything is written:
    422 `ding_file_unknown` on the field when one is not the sender's own or another DING's
    already; the voice note against chat's voice rules (`not_a_voice_recording`,
    `voice_duration_invalid`, `voice_duration_mismatch`, `file_too_large`)."""
    wanted = {
        role: fid
        for role, fid in ((VOICE, data.voice_id), (ATTACHMENT, data.attachment_id))
        if fid is not None
    }
    if data.voice_duration_ms is not None and data.voice_id is None:
        raise Invalid("ding_voice_missing", errors=[{"field": "voice_id"}])
    if not wanted:
        return {}
    if data.voice_id is not None and data.voice_id == data.attachment_id:
        raise Invalid("ding_file_unknown", errors=[{"field": "attachment_id"}], id=data.voice_id)
    rows = (
        await db.execute(select(DingFile).where(DingFile.id.in_(set(wanted.values()))))
    ).scalars()
    found = {f.id: f for f in rows}
    taken: dict[str, DingFile] = {}
    for role, fid in wanted.items():
        f = found.get(fid)
        field = "voice_id" if role == VOICE else "attachment_id"
        if f is None or f.owner_id != actor.id or f.message_id is not None:
            raise Invalid("ding_file_unknown", errors=[{"field": field}], id=fid)
        taken[role] = f
    if VOICE in taken:
        f = taken[VOICE]
        voice.length(
            f.content_type,
            f.size,
            f.duration_ms,
            data.voice_duration_ms,
            file_field="voice_id",
            duration_field="voice_duration_ms",
        )
    return taken


async def take(
    db: AsyncSession, msg: DingMessage, files: dict[str, DingFile], voice_ms: int | None
) -> None:
    """Makes the checked uploads (`check`) the DING's, the voice note with the length shown."""
    for role, f in files.items():
        f.message_id = msg.id
        f.role = role
        if role == VOICE:
            f.duration_ms = voice.length(f.content_type, f.size, f.duration_ms, voice_ms)
    if files:
        await db.flush()


@dataclass
class Media:
    voice: DingFileOut | None = None
    attachment: DingFileOut | None = None


async def of(db: AsyncSession, message_ids: Sequence[int]) -> dict[int, Media]:
    """The voice note and attachment of each DING (only those that have either)."""
    if not message_ids:
        return {}
    rows = (
        await db.execute(
            select(DingFile).where(DingFile.message_id.in_(set(message_ids))).order_by(DingFile.id)
        )
    ).scalars()
    found: dict[int, Media] = {}
    for f in rows:
        assert f.message_id is not None
        m = found.setdefault(f.message_id, Media())
        if f.role == VOICE:
            m.voice = out(f)
        elif f.role == ATTACHMENT:
            m.attachment = out(f)
    return found


async def one(db: AsyncSession, message_id: int) -> Media:
    return (await of(db, [message_id])).get(message_id, Media())


async def readable(db: AsyncSession, actor: Actor, file_id: int) -> DingFile:
    """The file if `actor` may read it: the sender; a recipient of its DING once it went out and
    until it is recalled (confirmed or not). 404 alike otherwise."""
    f = await db.get(DingFile, file_id)
    if f is None:
        raise NotFound("file")
    if f.owner_id == actor.id:
        return f
    if f.message_id is None:
        raise NotFound("file")
    recipient = await db.scalar(
        select(
            exists().where(
                DingMessage.id == f.message_id,
                DingMessage.sent_at.is_not(None),
                DingMessage.recalled_at.is_(None),
                exists().where(Ding.message_id == DingMessage.id, Ding.recipient_id == actor.id),
            )
        )
    )
    if not recipient:
        raise NotFound("file")
    return f


async def delete_loose(db: AsyncSession, now: datetime, limit: int = 500) -> int:
    """Deletes uploads that no DING took within a day (a sender who uploaded and never sent):
    the rows now, the bytes after the commit. Returns how many."""
    return await uploads.delete_loose(
        db, runtime_of(db).files, DingFile, DingFile.message_id, now, limit=limit
    )


async def card(db: AsyncSession, msg: DingMessage) -> DingAlert:
    """The alert a recipient's devices show for `msg` (sent, not yet confirmed): its sender,
    text, voice note and attachment — when it goes out, and at every reminder or escalation."""
    assert msg.sent_at is not None
    sender = await person_refs(db, {msg.sender_id} if msg.sender_id else set())
    files = await one(db, msg.id)
    return DingAlert(
        id=msg.id,
        sender=sender.get(msg.sender_id) if msg.sender_id else None,
        body=msg.body,
        sent_at=msg.sent_at,
        confirmed_at=None,
        voice=files.voice,
        attachment=files.attachment,
    )
