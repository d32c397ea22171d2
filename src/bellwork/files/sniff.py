"""What uploaded bytes are: the content type taken from the bytes (never from the client's
claim), image size and a JPEG thumbnail, and a file name safe to show. Not tied to any domain:
chat uses it for attachments, and so will notices, forms and assignments.

`inspect` is the one call a domain needs: it refuses what is empty, too large, of a refused
type, or claimed to be something it is not.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from pathlib import Path

from bellwork.core.errors import Invalid
from bellwork.core.text import text_problem
from bellwork.files import audio

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
    (b"\x1a\x45\xdf\xa3", 0, "video/webm"),  # EBML: WebM or Matroska
]
# Containers that may hold a recording: files/audio.py tells sound-only ones and their length.
RECORDINGS = {"video/webm", "audio/ogg", "video/mp4"}
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
    "audio/mp4": ("audio/mp4", "video/mp4", "audio/x-m4a", "audio/m4a"),
    "video/webm": ("video/webm", "audio/webm", "video/x-matroska", "audio/x-matroska"),
    "audio/webm": ("audio/webm", "video/webm", "audio/x-matroska"),
    "audio/ogg": ("audio/ogg", "audio/opus", "application/ogg", "video/ogg"),
    "text/plain": ("text/plain", "text/csv", "text/markdown"),
}


@dataclass
class Sniffed:
    content_type: str
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None  # JPEG, at most THUMB x THUMB (images only)
    duration_ms: int | None = None  # a recording's length, when its container says


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
    """What the bytes are (blocking: images are decoded). Raises Invalid for types we do not
    accept (programs, unknown)."""
    head = data[:64]
    if any(head.startswith(sig) for sig in REFUSED):
        raise Invalid("file_type_refused", errors=[{"field": "file"}])
    img = _image(data)
    if img is not None:
        return img
    for sig, offset, ctype in SIGNATURES:
        if head[offset : offset + len(sig)] == sig:
            if ctype in RECORDINGS:
                # Sound only (a voice message): audio/webm, audio/ogg, audio/mp4, with its length.
                found = audio.probe(data)
                if found is not None:
                    return Sniffed(found.content_type, duration_ms=found.duration_ms)
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


async def inspect(data: bytes, claimed_type: str | None, max_bytes: int, max_image: int) -> Sniffed:
    """Checks an upload against the caller's limits and returns what it is. Refuses (Invalid)
    an empty file, one over `max_bytes` (an image over `max_image`), a refused or unknown type,
    and a claimed type the bytes do not match. Decoding runs off the event loop."""
    if not data:
        raise Invalid("file_empty", errors=[{"field": "file"}])
    if len(data) > max_bytes:
        raise Invalid("file_too_large", errors=[{"field": "file"}], limit=max_bytes // 2**20)
    sniffed = await asyncio.to_thread(sniff, data)
    if sniffed.content_type.startswith("image/") and len(data) > max_image:
        raise Invalid("file_too_large", errors=[{"field": "file"}], limit=max_image // 2**20)
    if not claim_matches(claimed_type, sniffed.content_type):
        raise Invalid(
            "file_type_mismatch",
            errors=[{"field": "file"}],
            claimed=claimed_type or "",
            actual=sniffed.content_type,
        )
    return sniffed
