"""Uploaded files in the local files folder: type checks, image thumbnails, deletion.

The stored content type is what the bytes are, not what the client claimed; a claim that does not
match the bytes is refused. Files live under <data dir>/files/<2 hex>/<random key>.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.chat import sealing
from bellwork.chat.models import StoredFile
from bellwork.core.errors import Invalid
from bellwork.core.text import text_problem
from bellwork.db.session import on_commit

MAX_FILE = 50 * 1024 * 1024
MAX_IMAGE = 20 * 1024 * 1024
THUMB = 320
MAX_PIXELS = 80_000_000  # width x height; more is refused (a phone photo is 12-50 million)

# Magic bytes → content type, for types we accept that are not images.
SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"%PDF-", 0, "application/pdf"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "application/x-ole-storage"),
    (b"ID3", 0, "audio/mpeg"),
    (b"ftyp", 4, "video/mp4"),
    (b"OggS", 0, "audio/ogg"),
    (b"RIFF", 0, "audio/wav"),
]
REFUSED: list[bytes] = [b"MZ", b"\x7fELF", b"#!"]
IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
# Content types a client may claim for each detected kind.
COMPATIBLE: dict[str, tuple[str, ...]] = {
    "application/zip": (
        "application/zip",
        "application/x-zip-compressed",
        "application/vnd.openxmlformats-officedocument.",
    ),
    "application/x-ole-storage": (
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/x-ole-storage",
    ),
    "audio/wav": ("audio/wav", "audio/x-wav", "audio/wave"),
    "audio/mpeg": ("audio/mpeg", "audio/mp3"),
    "video/mp4": ("video/mp4", "audio/mp4", "video/quicktime"),
    "text/plain": ("text/plain", "text/csv", "text/markdown"),
}


@dataclass
class Sniffed:
    content_type: str
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None


def files_dir(data_dir: Path) -> Path:
    return data_dir / "files"


def _image(data: bytes) -> Sniffed | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or ""
            if fmt not in IMAGE_FORMATS:
                return None
            img.verify()
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise Invalid("image_too_large", errors=[{"field": "file"}])
            img.thumbnail((THUMB, THUMB))  # in place: no full-size copy in memory
            thumb: Image.Image = img
            if thumb.mode not in ("RGB", "L"):
                thumb = thumb.convert("RGB")
            buf = io.BytesIO()
            thumb.save(buf, "JPEG", quality=80)
            return Sniffed(IMAGE_FORMATS[fmt], width, height, buf.getvalue())
    except Image.DecompressionBombError as exc:
        # Tiny file, enormous picture (e.g. 30,000 x 30,000 pixels of one colour).
        raise Invalid("image_too_large", errors=[{"field": "file"}]) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None


def sniff(data: bytes) -> Sniffed:
    """What the bytes are. Raises Invalid for types we do not accept (programs, unknown)."""
    head = data[:64]
    if any(head.startswith(sig) for sig in REFUSED):
        raise Invalid("file_type_refused", errors=[{"field": "file"}])
    img = _image(data)
    if img is not None:
        return img
    for sig, offset, ctype in SIGNATURES:
        if head[offset : offset + len(sig)] == sig:
            return Sniffed(ctype)
    if b"\x00" not in data[:8192]:
        try:
            data[:8192].decode("utf-8")
            return Sniffed("text/plain")
        except UnicodeDecodeError:
            try:
                data[:8192].decode("gb18030")
                return Sniffed("text/plain")
            except UnicodeDecodeError:
                pass
    raise Invalid("file_type_refused", errors=[{"field": "file"}])


def claim_matches(claimed: str | None, actual: str) -> bool:
    claimed = (claimed or "").split(";")[0].strip().lower()
    if claimed in ("", "application/octet-stream"):
        return True
    if actual.startswith("image/"):
        return claimed == actual or (claimed == "image/jpg" and actual == "image/jpeg")
    allowed = COMPATIBLE.get(actual, (actual,))
    return any(claimed == a or (a.endswith(".") and claimed.startswith(a)) for a in allowed)


def clean_name(name: str) -> str:
    """The file's own name: no folders. Control characters and direction overrides are refused
    (core/text.py): U+202E then `gpj.exe` shows as `exe.jpg` and would lie about the file."""
    if text_problem(name) is not None:
        raise Invalid("file_name_invalid", errors=[{"field": "file"}])
    name = name.replace("\t", " ").replace("\n", " ").replace("\r", " ")
    return Path(name.replace("\\", "/")).name.strip()[:255] or "file"


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
    a fresh key (chat/sealing.py), written once the row has its id."""
    if not data:
        raise Invalid("file_empty", errors=[{"field": "file"}])
    if len(data) > MAX_FILE:
        raise Invalid("file_too_large", errors=[{"field": "file"}], limit=MAX_FILE // 2**20)
    sniffed = await asyncio.to_thread(sniff, data)
    if sniffed.content_type.startswith("image/") and len(data) > MAX_IMAGE:
        raise Invalid("file_too_large", errors=[{"field": "file"}], limit=MAX_IMAGE // 2**20)
    if not claim_matches(claimed_type, sniffed.content_type):
        raise Invalid(
            "file_type_mismatch",
            errors=[{"field": "file"}],
            claimed=claimed_type or "",
            actual=sniffed.content_type,
        )
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
    storage_key = secrets.token_hex(16)
    folder = files_dir(data_dir) / storage_key[:2]
    thumb_key = f"{storage_key}.thumb" if thumbnail is not None else None

    def write() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / storage_key).write_bytes(data)
        if thumbnail is not None:
            (folder / f"{storage_key}.thumb").write_bytes(thumbnail)

    await asyncio.to_thread(write)
    f = StoredFile(
        owner_id=owner_id,
        conversation_id=conversation_id,
        name="" if private else name,
        content_type=sniffed.content_type,
        size=size,
        # Of what is on disk: a hash of a private file's plaintext would outlive its burning.
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=storage_key,
        thumb_key=thumb_key,
        width=sniffed.width,
        height=sniffed.height,
        key_id=key_id,
        sealed_name=sealed_name,
    )
    db.add(f)
    await db.flush()
    if key_id is not None:
        await asyncio.to_thread(sealing.write_key, data_dir, sealing.KeyRef.file(f.id, key_id), key)
    return f


def path_of(data_dir: Path, key: str) -> Path:
    return files_dir(data_dir) / key[:2] / key


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


def read_private(data_dir: Path, f: StoredFile, thumbnail: bool) -> bytes | None:
    """A private file's bytes (or thumbnail), decrypted; None if its key or file is gone."""
    ref = key_ref(f)
    storage_key = f.thumb_key if thumbnail else f.storage_key
    if ref is None or storage_key is None:
        return None
    key = sealing.read_key(data_dir, ref)
    if key is None:
        return None
    try:
        blob = path_of(data_dir, storage_key).read_bytes()
    except FileNotFoundError:
        return None
    return sealing.unseal(key, "thumb" if thumbnail else "file", ref.key_id, blob)


async def delete_file(db: AsyncSession, data_dir: Path, file_id: int) -> None:
    """Deletes the file, its thumbnail, its key (if private) and its row."""
    f = await db.get(StoredFile, file_id)
    if f is None:
        return
    keys = [f.storage_key] + ([f.thumb_key] if f.thumb_key else [])
    ref = key_ref(f)

    def unlink() -> None:
        if ref is not None:
            sealing.shred(data_dir, [ref])
        for k in keys:
            path_of(data_dir, k).unlink(missing_ok=True)

    async def after_commit() -> None:
        await asyncio.to_thread(unlink)

    # After commit: a recall or burn that rolls back must not leave a message whose file is gone.
    on_commit(db, after_commit)
    await db.delete(f)
