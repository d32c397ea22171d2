"""Voice messages (语音): a recording made in the browser (MediaRecorder, Opus), uploaded like any
file (`POST /conversations/{id}/files`), then sent as a message of kind `voice` with its length.

What the server holds to: the file is a sound-only recording in a container browsers record
to (audio/webm, audio/ogg, audio/mp4; files/audio.py reads which, and its length, from the
bytes at upload), at most `MAX_BYTES`; the sender says how long it is (`duration_ms`, 1–60 s),
and where the container gives a length the two agree to within `SLACK_MS` (a recorder's timer
and the audio it wrote differ by a few hundred milliseconds). The bubble shows the container's
length when there is one (else the sender's), kept within 1–60 s, on the file's row
(`stored_file.duration_ms`). A voice message is otherwise a file message: recalling or burning
it deletes the recording, and in a private chat the recording is sealed like any file.
"""

from __future__ import annotations

from bellwork.chat.models import StoredFile
from bellwork.core.errors import Invalid

TYPES = ("audio/webm", "audio/ogg", "audio/mp4")
MIN_MS = 1_000
MAX_MS = 60_000
SLACK_MS = 1_000
# 60 s of Opus at 128 kbit/s is under 1 MB; browsers record voice at 32–128 kbit/s.
MAX_BYTES = 2 * 1024 * 1024


def length(
    content_type: str,
    size: int,
    read_ms: int | None,
    claimed_ms: int | None,
    *,
    file_field: str = "file_id",
    duration_field: str = "duration_ms",
) -> int:
    """The rules above for any stored recording (a chat file, a DING's voice note): checks that
    a file of `content_type` and `size`, whose container says `read_ms` (None: it does not),
    may be a voice message the sender says is `claimed_ms` long, and answers the length to
    show. Raises Invalid naming `file_field` or `duration_field`."""
    if content_type not in TYPES:
        raise Invalid("not_a_voice_recording", errors=[{"field": file_field}])
    if size > MAX_BYTES:
        raise Invalid("file_too_large", errors=[{"field": file_field}], limit=MAX_BYTES // 2**20)
    if claimed_ms is None or not MIN_MS <= claimed_ms <= MAX_MS:
        raise Invalid("voice_duration_invalid", errors=[{"field": duration_field}])
    if read_ms is not None and abs(read_ms - claimed_ms) > SLACK_MS:
        raise Invalid("voice_duration_mismatch", errors=[{"field": duration_field}])
    return min(MAX_MS, max(MIN_MS, read_ms if read_ms is not None else claimed_ms))


def check(file: StoredFile, claimed_ms: int | None) -> int:
    """Checks that `file` may be sent as a voice message `claimed_ms` long; answers the length
    to show (and records it on the file). Raises Invalid with the field at fault."""
    shown = length(file.content_type, file.size, file.duration_ms, claimed_ms)
    file.duration_ms = shown
    return shown
