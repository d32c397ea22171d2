"""What a recording is: whether a WebM, Ogg or MP4 file holds sound only, and how long it is,
read from the container (no decoding, no outside program). This is what the browsers'
MediaRecorder writes: Chromium `audio/webm;codecs=opus` (and `audio/mp4`), Firefox
`audio/ogg;codecs=opus`, Safari `audio/mp4`.

- **WebM / Matroska** (EBML): the tracks say whether there is only sound (TrackType 2); the
  length is where the last block ends (Cluster Timecode + the block's own offset, in
  TimecodeScale units), which also works for what MediaRecorder streams without a Duration;
  the Info Duration only when there are no blocks. Elements of unknown size (a live stream's
  Segment and Clusters) are read as they come.
- **Ogg**: the first packet of each stream says what it is (OpusHead, Vorbis, or something else);
  the length is the last page's granule position (48 kHz samples for Opus, less its pre-skip).
- **MP4**: every track's handler is `soun`; the length is the movie header's duration over its
  timescale (a fragmented file with no total reads as unknown).

`probe` never raises on malformed bytes: it answers None (not a recording we can read), and
its work is bounded by the size of the data (each step moves forward).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = ["Audio", "probe"]


@dataclass(frozen=True)
class Audio:
    content_type: str  # audio/webm, audio/ogg or audio/mp4
    duration_ms: int | None  # None: the container does not say


def probe(data: bytes) -> Audio | None:
    """The recording `data` holds, if it is a WebM, Ogg or MP4 file with sound and nothing else;
    None otherwise (video, other types, or bytes that do not parse)."""
    try:
        if data[:4] == b"\x1a\x45\xdf\xa3":
            return _webm(data)
        if data[:4] == b"OggS":
            return _ogg(data)
        if data[4:8] == b"ftyp":
            return _mp4(data)
    except (IndexError, ValueError, OverflowError, struct.error, UnicodeDecodeError):
        return None
    return None


# ---------------------------------------------------------------- WebM / Matroska (EBML)

_EBML = 0x1A45DFA3
_DOCTYPE = 0x4282
_SEGMENT = 0x18538067
_INFO = 0x1549A966
_TIMECODE_SCALE = 0x2AD7B1
_DURATION = 0x4489
_TRACKS = 0x1654AE6B
_TRACK_ENTRY = 0xAE
_TRACK_TYPE = 0x83
_CLUSTER = 0x1F43B675
_TIMECODE = 0xE7
_SIMPLE_BLOCK = 0xA3
_BLOCK_GROUP = 0xA0
_BLOCK = 0xA1
_BLOCK_DURATION = 0x9B
# Masters read into rather than skipped: what we need is inside them.
_ENTER = {_EBML, _SEGMENT, _INFO, _TRACKS, _TRACK_ENTRY, _CLUSTER, _BLOCK_GROUP}
_AUDIO_TRACK = 2


def _vint(data: bytes, pos: int, keep_marker: bool) -> tuple[int, int, bool]:
    """An EBML variable-length integer at `pos`: its value, the position after it, and whether
    it is the reserved all-ones value (an unknown size)."""
    first = data[pos]
    if first == 0:
        raise ValueError("invalid EBML length")
    length = 1
    mask = 0x80
    while not first & mask:
        mask >>= 1
        length += 1
    value = first if keep_marker else first & (mask - 1)
    for b in data[pos + 1 : pos + length]:
        value = (value << 8) | b
    if pos + length > len(data):
        raise ValueError("truncated")
    unknown = not keep_marker and value == (1 << (7 * length)) - 1
    return value, pos + length, unknown


def _uint(raw: bytes) -> int:
    return int.from_bytes(raw, "big") if raw else 0


def _webm(data: bytes) -> Audio | None:
    pos = 0
    doctype = ""
    scale = 1_000_000  # ns per timecode unit (the default)
    declared: float | None = None
    track_types: list[int] = []
    cluster = 0
    end = -1  # the furthest block end seen, in timecode units
    block_start = 0
    n = len(data)
    while pos < n:
        ident, pos, _ = _vint(data, pos, keep_marker=True)
        size, pos, unknown = _vint(data, pos, keep_marker=False)
        if ident in _ENTER:
            if ident == _CLUSTER and track_types and set(track_types) != {_AUDIO_TRACK}:
                return None  # the tracks are known, and not sound only: nothing more to read
            continue  # read its children as the following elements
        if unknown:
            return None  # only masters may have an unknown size
        body = data[pos : pos + size]
        if len(body) < size:
            break  # a truncated last element: keep what was read
        if ident == _DOCTYPE:
            doctype = body.decode("ascii")
        elif ident == _TIMECODE_SCALE:
            scale = _uint(body) or scale
        elif ident == _DURATION:
            declared = struct.unpack(">f" if size == 4 else ">d", body)[0]
        elif ident == _TRACK_TYPE:
            track_types.append(_uint(body))
        elif ident == _TIMECODE:
            cluster = _uint(body)
        elif ident in (_SIMPLE_BLOCK, _BLOCK):
            _, after, _ = _vint(body, 0, keep_marker=False)  # the track number
            block_start = cluster + struct.unpack(">h", body[after : after + 2])[0]
            end = max(end, block_start)
        elif ident == _BLOCK_DURATION:
            end = max(end, block_start + _uint(body))
        pos += size
    if doctype not in ("webm", "matroska") or not track_types:
        return None
    if set(track_types) != {_AUDIO_TRACK}:
        return None
    units = end if end >= 0 else declared
    duration = round(units * scale / 1_000_000) if units is not None and units >= 0 else None
    return Audio("audio/webm", duration)


# ---------------------------------------------------------------- Ogg

_OGG_HEADER = 27


def _ogg(data: bytes) -> Audio | None:
    pos = 0
    kinds: dict[int, str] = {}  # serial -> "opus" | "vorbis" | "other"
    rates: dict[int, int] = {}
    pre_skip: dict[int, int] = {}
    last: dict[int, int] = {}
    n = len(data)
    while pos + _OGG_HEADER <= n and data[pos : pos + 4] == b"OggS":
        flags = data[pos + 5]
        granule, serial = struct.unpack_from("<qI", data, pos + 6)
        segments = data[pos + 26]
        table = data[pos + _OGG_HEADER : pos + _OGG_HEADER + segments]
        body = pos + _OGG_HEADER + segments
        if len(table) < segments:
            break
        if flags & 0x02:  # beginning of a stream: its first packet says what it is
            head = data[body : body + 19]
            if head[:8] == b"OpusHead":
                kinds[serial] = "opus"
                rates[serial] = 48_000  # Opus granules always count 48 kHz samples
                pre_skip[serial] = struct.unpack_from("<H", head, 10)[0]
            elif head[:7] == b"\x01vorbis":
                kinds[serial] = "vorbis"
                rates[serial] = struct.unpack_from("<I", head, 12)[0]
            else:
                kinds[serial] = "other"
        if granule >= 0:
            last[serial] = granule
        pos = body + sum(table)
    if not kinds or any(k == "other" for k in kinds.values()):
        return None
    serial = next(iter(kinds))
    rate = rates.get(serial) or 0
    samples = last.get(serial, 0) - pre_skip.get(serial, 0)
    duration = round(samples * 1000 / rate) if rate and samples > 0 else None
    return Audio("audio/ogg", duration)


# ---------------------------------------------------------------- MP4


def _boxes(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """The boxes in data[start:end]: (type, payload start, payload end)."""
    out = []
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            size = struct.unpack_from(">Q", data, pos + 8)[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header:
            break
        out.append((kind, pos + header, min(pos + size, end)))
        pos += size
    return out


def _mp4(data: bytes) -> Audio | None:
    moov = [b for b in _boxes(data, 0, len(data)) if b[0] == b"moov"]
    if not moov:
        return None
    _, start, end = moov[0]
    duration: int | None = None
    handlers: list[bytes] = []
    for kind, a, b in _boxes(data, start, end):
        if kind == b"mvhd":
            if data[a] == 1:
                timescale, length = struct.unpack_from(">IQ", data, a + 20)
            else:
                timescale, length = struct.unpack_from(">II", data, a + 12)
            if timescale and length:
                duration = round(length * 1000 / timescale)
        elif kind == b"trak":
            for k2, a2, b2 in _boxes(data, a, b):
                if k2 != b"mdia":
                    continue
                for k3, a3, _ in _boxes(data, a2, b2):
                    if k3 == b"hdlr":
                        handlers.append(data[a3 + 8 : a3 + 12])
    if not handlers or any(h != b"soun" for h in handlers):
        return None
    return Audio("audio/mp4", duration)
