"""People's photos (头像): set, replaced or removed by the person, or for them by whoever
manages them (an admin, a head of a unit they belong to); shown to whoever may see the person.

- The upload goes through the shared checks (`files.sniff.inspect`: the type from the bytes,
  never from the client's claim; a size limit) and only JPEG, PNG and WebP photos are taken:
  413 `file_too_large` / `image_too_large`, 415 `photo_type_refused` / `file_type_mismatch`.
- What is kept is not the upload: the photo is turned upright (its EXIF orientation), cut to
  the middle square and saved as a JPEG of at most `LARGE` pixels a side, with a `SMALL`
  thumbnail beside it (`<key>.thumb`). Re-encoding drops the upload's metadata (where and
  when it was taken).
- `Person.photo_key` names it in the runtime's store. Each new photo has a new key; its first
  characters are the version in the photo's URL (`url_of`), so the URL changes with the photo
  and a client may cache it for good. The old photo's bytes go once the change commits.
- Someone else's change is audited (`person.photo_set`, `person.photo_remove`); one's own is
  not (it is one's own business, like one's language).
- Reading: `readable` — whoever may see the person (org/access.py, the directory's rule);
  404 alike for no such person, no photo, a stale version, or a person one may not see. The
  gate (attendance/passes.py) shows the photo of the person it scans under its own rule.
"""

from __future__ import annotations

import asyncio
import contextlib
import io

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit.service import record
from bellwork.auth.service import Actor
from bellwork.core.errors import Invalid, NotFound, Problem
from bellwork.db.session import on_commit
from bellwork.files.sniff import inspect
from bellwork.files.storage import Storage, new_key
from bellwork.org import access
from bellwork.org.access import Scope
from bellwork.org.models import Person
from bellwork.runtime import runtime_of

MAX_PHOTO = 10 * 1024 * 1024
LARGE = 512
SMALL = 128
ACCEPTED = {"image/jpeg", "image/png", "image/webp"}
TOO_LARGE = {"file_too_large", "image_too_large"}
WRONG_TYPE = {"file_type_refused", "file_type_mismatch"}
VERSION = 16  # characters of the key in the URL: 64 random bits
# A photo's URL names its version, so what it answers never changes: cached for a year.
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, max-age=31536000, immutable",
}


def version_of(key: str) -> str:
    return key[:VERSION]


def url_of(person_id: int, key: str | None) -> str | None:
    """Where the person's photo is (None: no photo); its thumbnail is this + "/thumbnail"."""
    if key is None:
        return None
    return f"/api/v1/people/{person_id}/photo/{version_of(key)}"


def thumb_key(key: str) -> str:
    return f"{key}.thumb"


def _square(data: bytes) -> tuple[bytes, bytes]:
    """The photo upright, cut to its middle square: (at most LARGE, SMALL) as JPEG."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as img:
        img.draft("RGB", (LARGE * 2, LARGE * 2))  # a large JPEG decodes at a fraction of its size
        upright = ImageOps.exif_transpose(img)
        side = min(upright.size)
        left = (upright.width - side) // 2
        top = (upright.height - side) // 2
        square = upright.crop((left, top, left + side, top + side))
        if "A" in square.getbands() or "transparency" in square.info:
            # Transparency (a PNG or WebP with alpha, a palette PNG) on white, not black.
            square = square.convert("RGBA")
            flat = Image.new("RGB", square.size, (255, 255, 255))
            flat.paste(square, mask=square.getchannel("A"))
            square = flat
        elif square.mode not in ("RGB", "L"):
            square = square.convert("RGB")
        out: list[bytes] = []
        for size in (min(LARGE, side), SMALL):
            buf = io.BytesIO()
            square.resize((size, size), Image.Resampling.LANCZOS).save(
                buf, "JPEG", quality=85, optimize=True
            )
            out.append(buf.getvalue())
        return out[0], out[1]


async def _check(name: str, claimed_type: str | None, data: bytes) -> None:
    """The shared upload checks, with the status HTTP has for each refusal."""
    del name  # the file's name is not kept
    try:
        sniffed = await inspect(data, claimed_type, MAX_PHOTO, MAX_PHOTO)
    except Invalid as exc:
        if exc.code in TOO_LARGE:
            raise Problem(exc.code, 413, errors=exc.errors, **exc.params) from exc
        if exc.code == "file_type_mismatch":
            raise Problem(exc.code, 415, errors=exc.errors, **exc.params) from exc
        if exc.code in WRONG_TYPE:
            raise Problem("photo_type_refused", 415, errors=exc.errors) from exc
        raise
    if sniffed.content_type not in ACCEPTED:
        raise Problem("photo_type_refused", 415, errors=[{"field": "file"}])


async def _may_change(db: AsyncSession, scope: Scope, person: Person) -> None:
    if person.id != scope.person_id:
        await access.require_manage_person(db, scope, person)


def _forget(db: AsyncSession, store: Storage, key: str | None) -> None:
    """Deletes a replaced photo's bytes once the change has committed (never if it rolls
    back: the row still names them)."""
    if key is None:
        return
    doomed = [key, thumb_key(key)]

    async def forget() -> None:
        await store.delete_many(doomed)

    on_commit(db, forget)


async def set_photo(
    db: AsyncSession,
    actor: Actor,
    scope: Scope,
    person: Person,
    name: str,
    claimed_type: str | None,
    data: bytes,
) -> Person:
    """Sets or replaces `person`'s photo (one's own, or as their manager: 403 otherwise)."""
    await _may_change(db, scope, person)
    await _check(name, claimed_type, data)
    try:
        large, small = await asyncio.to_thread(_square, data)
    except (OSError, ValueError) as exc:  # passed the checks, yet will not decode whole
        raise Problem("photo_type_refused", 415, errors=[{"field": "file"}]) from exc
    store = runtime_of(db).files
    key = new_key()
    await store.put(key, large)
    try:
        await store.put(thumb_key(key), small)
        old, person.photo_key = person.photo_key, key
        await db.flush()
    except BaseException:
        with contextlib.suppress(Exception):
            await store.delete_many([key, thumb_key(key)])
        raise
    _forget(db, store, old)
    if person.id != actor.id:
        await record(
            db,
            actor.id,
            "person.photo_set",
            "person",
            person.id,
            {"photo": old is not None},
            {"photo": True},
        )
    return person


async def remove_photo(db: AsyncSession, actor: Actor, scope: Scope, person: Person) -> None:
    """Removes `person`'s photo (one's own, or as their manager); nothing to do without one."""
    await _may_change(db, scope, person)
    old = person.photo_key
    if old is None:
        return
    person.photo_key = None
    await db.flush()
    _forget(db, runtime_of(db).files, old)
    if person.id != actor.id:
        before, after = {"photo": True}, {"photo": False}
        await record(db, actor.id, "person.photo_remove", "person", person.id, before, after)


def current_key(person: Person | None, version: str) -> str:
    """The store key of `person`'s photo if `version` is its version; 404 otherwise."""
    if person is None or person.photo_key is None or version_of(person.photo_key) != version:
        raise NotFound("photo")
    return person.photo_key


async def readable(db: AsyncSession, scope: Scope, person_id: int, version: str) -> str:
    """The store key of the photo, for whoever may see the person (404 alike otherwise)."""
    try:
        person = await access.access_person(db, scope, person_id)
    except NotFound:
        raise NotFound("photo") from None
    return current_key(person, version)
