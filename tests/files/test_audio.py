"""Reading a recording's container (files/audio.py): sound only or not, and its length, for
what browsers record (real Chromium files and made-up WebM and Ogg), and nothing that breaks
on damaged bytes."""

from __future__ import annotations

import os

from bellwork.files.audio import Audio, probe
from bellwork.files.sniff import claim_matches, sniff
from tests.files.recordings import CHROMIUM_MP4, CHROMIUM_WEBM, ogg, webm


def test_what_chromium_records() -> None:
    assert probe(CHROMIUM_WEBM.read_bytes()) == Audio("audio/webm", 2400)
    assert probe(CHROMIUM_MP4.read_bytes()) == Audio("audio/mp4", 2421)
    # What the upload sees: the type from the bytes, and the browser's claim accepted.
    found = sniff(CHROMIUM_WEBM.read_bytes())
    assert (found.content_type, found.duration_ms) == ("audio/webm", 2400)
    assert claim_matches("audio/webm;codecs=opus", "audio/webm")
    assert claim_matches("audio/mp4", sniff(CHROMIUM_MP4.read_bytes()).content_type)


def test_lengths_of_streamed_webm_and_ogg() -> None:
    # A Segment of unknown size with no Duration (MediaRecorder with a timeslice): the blocks.
    assert probe(webm(12_000)) == Audio("audio/webm", 11_980)
    # No blocks at all: the declared Duration.
    assert probe(webm(0, declared=4200.0)) == Audio("audio/webm", 4200)
    # Ogg Opus: the last granule less the pre-skip, at 48 kHz.
    assert probe(ogg(7_500)) == Audio("audio/ogg", 7_500)
    assert sniff(ogg(3_000)).duration_ms == 3_000
    assert claim_matches("audio/ogg;codecs=opus", "audio/ogg")


def test_video_is_not_a_recording() -> None:
    assert probe(webm(3_000, video=True)) is None
    assert sniff(webm(3_000, video=True)).content_type == "video/webm"
    # An MP4 whose tracks are not all sound, or that has no movie header: a video file.
    assert sniff(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40).content_type == "video/mp4"


def test_damaged_bytes_never_raise() -> None:
    for data in (CHROMIUM_WEBM.read_bytes(), CHROMIUM_MP4.read_bytes(), ogg(5_000), webm(5_000)):
        for cut in (5, 30, 100, len(data) // 3, len(data) - 1):
            probe(data[:cut])  # may or may not find a length, never an exception
        for _ in range(20):
            noisy = bytearray(data)
            for _ in range(10):
                noisy[int.from_bytes(os.urandom(3)) % len(noisy)] = os.urandom(1)[0]
            probe(bytes(noisy))
    assert probe(b"\x1a\x45\xdf\xa3" + b"\x00" * 20) is None
    assert probe(b"OggS") is None
