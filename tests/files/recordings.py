"""Recordings made up for tests: WebM and Ogg files shaped as browsers' MediaRecorder writes
them (20 ms Opus frames), of any length, with dummy frame bytes (nothing decodes them: the
server reads only the containers). tests/files/data/ holds real ones Chromium recorded with
its fake microphone."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

DATA = Path(__file__).parent / "data"
CHROMIUM_WEBM = DATA / "chromium-2400ms.webm"  # audio/webm;codecs=opus, 2.4 s
CHROMIUM_MP4 = DATA / "chromium-2421ms.mp4"  # audio/mp4;codecs=opus, 2.421 s
FRAME_MS = 20


def _size(n: int) -> bytes:
    return b"\x01" + n.to_bytes(7, "big")  # an 8-byte EBML size


def _el(ident: int, body: bytes) -> bytes:
    return ident.to_bytes((ident.bit_length() + 7) // 8, "big") + _size(len(body)) + body


def _uint(ident: int, value: int) -> bytes:
    return _el(ident, value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def webm(
    duration_ms: int, *, video: bool = False, declared: float | None = None, frame: int = 8
) -> bytes:
    """A WebM of Opus frames every 20 ms up to `duration_ms`, in clusters of 1 s, in a Segment
    of unknown size (as MediaRecorder streams it); `video` adds a video track; `declared` an
    Info Duration; `frame` is the bytes of each frame (80 at 32 kbit/s)."""
    header = _el(0x1A45DFA3, _uint(0x4286, 1) + _el(0x4282, b"webm"))
    info = _uint(0x2AD7B1, 1_000_000)
    if declared is not None:
        info += _el(0x4489, struct.pack(">d", declared))
    tracks = _el(0xAE, _uint(0xD7, 1) + _uint(0x83, 2) + _el(0x86, b"A_OPUS"))
    if video:
        tracks += _el(0xAE, _uint(0xD7, 2) + _uint(0x83, 1) + _el(0x86, b"V_VP8"))
    clusters = b""
    for start in range(0, duration_ms, 1000):
        blocks = b"".join(
            _el(0xA3, b"\x81" + struct.pack(">h", t - start) + b"\x80" + b"\xfc" * frame)
            for t in range(start, min(start + 1000, duration_ms - FRAME_MS + 1), FRAME_MS)
        )
        clusters += _el(0x1F43B675, _uint(0xE7, start) + blocks)
    segment = _el(0x1549A966, info) + _el(0x1654AE6B, tracks) + clusters
    return header + b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff" + segment


def _page(serial: int, seq: int, granule: int, packet: bytes, flags: int = 0) -> bytes:
    lacing = bytes([255] * (len(packet) // 255) + [len(packet) % 255])
    head = struct.pack("<4sBBqIIIB", b"OggS", 0, flags, granule, serial, seq, 0, len(lacing))
    page = head + lacing + packet
    return page[:22] + struct.pack("<I", zlib.crc32(page) & 0xFFFFFFFF) + page[26:]


def ogg(duration_ms: int, pre_skip: int = 312) -> bytes:
    """An Ogg Opus file (as Firefox records): OpusHead, OpusTags, then a page a second."""
    serial = 0x1234
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, pre_skip, 48_000, 0, 0)
    out = _page(serial, 0, 0, head, flags=0x02) + _page(serial, 1, 0, b"OpusTags" + b"\0" * 8)
    seq = 2
    for end in range(1000, duration_ms + 1000, 1000):
        end = min(end, duration_ms)
        out += _page(serial, seq, pre_skip + end * 48, b"\xfc" * 40, flags=0)
        seq += 1
        if end == duration_ms:
            break
    return out
