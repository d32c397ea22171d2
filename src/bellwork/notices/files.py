"""A notice's files: images its body shows and its attachments (docs/notices.md, "Files").

The bytes are in the runtime's store (files/: the data folder or an S3-compatible bucket); the
keys are notices' own (`NoticeFile`), and notices decide who reads them:
- An author uploads first (`upload`): the file is theirs, loose, until a notice takes it.
- Publishing or editing names the notice's files (`attach`): the attachments listed, and the
  images its Markdown shows as `/api/v1/notices/files/{id}`. Each must be the author's own and
  loose or already this notice's; a file an edit drops is deleted (the row now, the bytes after
  the commit).
- Readable (`readable`): by the author always; by a recipient once the notice went out, until it
  is recalled. Everyone else: 404, as for a file that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.core.errors import Invalid, NotFound
from bellwork.files import uploads
from bellwork.notices.models import Notice, NoticeFile, NoticeReceipt
from bellwork.notices.schemas import NoticeFileOut
from bellwork.runtime import runtime_of

MAX_FILE = 50 * 1024 * 1024
MAX_IMAGE = 20 * 1024 * 1024
IMAGE_REF = re.compile(r"/api/v1/notices/files/(\d{1,18})\b")


def url_of(file_id: int) -> str:
    return f"/api/v1/notices/files/{file_id}"


def out(f: NoticeFile) -> NoticeFileOut:
    return uploads.describe(f, NoticeFileOut, url_of(f.id))


async def upload(
    db: AsyncSession, actor: Actor, name: str, claimed_type: str | None, data: bytes
) -> NoticeFileOut:
    """Checks and stores an upload for a notice the author is writing (images up to 20 MB,
    other files 50 MB; the type from the bytes). Only those who may publish (the caller
    checks)."""
    store = runtime_of(db).files
    got = await uploads.receive(
        store, name, claimed_type, data, max_bytes=MAX_FILE, max_image=MAX_IMAGE
    )
    return out(await uploads.add(db, store, NoticeFile(owner_id=actor.id, **got.columns())))


def images_in(body: str) -> list[int]:
    """The notice files a Markdown body names, in order, each once."""
    return list(dict.fromkeys(int(m) for m in IMAGE_REF.findall(body)))


async def attach(
    db: AsyncSession, actor: Actor, notice: Notice, body: str, attachments: Sequence[int]
) -> None:
    """Makes `attachments` and the images `body` shows the notice's files, and deletes the
    files it had that are no longer among them. 422 `notice_file_unknown` (naming the field)
    when one is not the author's own, or belongs to another notice — nothing changes then."""
    images = images_in(body)
    listed = list(dict.fromkeys(attachments))
    wanted = set(images) | set(listed)
    found = (
        {
            f.id: f
            for f in (
                await db.execute(select(NoticeFile).where(NoticeFile.id.in_(wanted)))
            ).scalars()
        }
        if wanted
        else {}
    )
    for field, ids in (("attachments", listed), ("body", images)):
        for fid in ids:
            f = found.get(fid)
            if (
                f is None
                or f.owner_id != actor.id
                or (f.notice_id is not None and f.notice_id != notice.id)
            ):
                raise Invalid("notice_file_unknown", errors=[{"field": field}], id=fid)
    inline = set(images) - set(listed)
    for fid, f in found.items():
        f.notice_id = notice.id
        f.inline = fid in inline
    current = (
        await db.execute(select(NoticeFile).where(NoticeFile.notice_id == notice.id))
    ).scalars()
    dropped = [f for f in current if f.id not in wanted]
    await uploads.drop(db, runtime_of(db).files, dropped)
    await db.flush()


async def files_of(db: AsyncSession, notice_id: int) -> list[tuple[NoticeFileOut, bool]]:
    """The notice's files with whether each is shown in the body, in upload order."""
    rows = (
        await db.execute(
            select(NoticeFile).where(NoticeFile.notice_id == notice_id).order_by(NoticeFile.id)
        )
    ).scalars()
    return [(out(f), f.inline) for f in rows]


async def readable(db: AsyncSession, actor: Actor, file_id: int) -> NoticeFile:
    """The file if `actor` may read it: its author; a recipient of its notice once the notice
    went out and until it is recalled. 404 alike otherwise."""
    f = await db.get(NoticeFile, file_id)
    if f is None:
        raise NotFound("file")
    if f.owner_id == actor.id:
        return f
    if f.notice_id is None:
        raise NotFound("file")
    recipient = await db.scalar(
        select(
            exists().where(
                Notice.id == f.notice_id,
                Notice.published_at.is_not(None),
                Notice.recalled_at.is_(None),
                exists().where(
                    and_(
                        NoticeReceipt.notice_id == Notice.id,
                        NoticeReceipt.person_id == actor.id,
                    )
                ),
            )
        )
    )
    if not recipient:
        raise NotFound("file")
    return f


LOOSE_FOR = uploads.LOOSE_FOR


async def delete_loose(db: AsyncSession, now: datetime, limit: int = 500) -> int:
    """Deletes uploads that no notice took within a day (an author who uploaded and never
    published): the rows now, the bytes after the commit. Returns how many."""
    return await uploads.delete_loose(
        db, runtime_of(db).files, NoticeFile, NoticeFile.notice_id, now, limit=limit
    )
