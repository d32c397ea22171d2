"""A lesson's replay (docs/lessons.md, "Replay"): Janus records each publisher's streams in
.mjr files in the room's `rec_dir`; when the lesson ends, the `lessons.replay` job turns the
teacher's into one playable WebM: `janus-pp-rec` each feed's first video and its audio, `ffmpeg`
joins them into a part, and the parts (one per feed: each camera/screen switch is a new one)
are concatenated in order. The file is kept in `<data dir>/lessons/<id>/replay.webm` and served
to the lesson's members; watching it counts as replay time in attendance.

Rooms on other Janus servers record on those machines (docs/media.md): their replays need the
recordings folder shared with the app nodes, and are skipped here when it is not."""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.config import Settings
from bellwork.lessons.models import Lesson
from bellwork.media.models import MediaRoom

log = logging.getLogger("bellwork.lessons")
REPLAY = "lessons.replay"


def replay_file(settings: Settings, lesson_id: int) -> Path:
    return settings.data_dir / "lessons" / str(lesson_id) / "replay.webm"


def tools() -> tuple[str, str] | None:
    pp, ff = shutil.which("janus-pp-rec"), shutil.which("ffmpeg")
    return (pp, ff) if pp and ff else None


def _recordings(rec_dir: str, janus_room: int, feed: int) -> tuple[Path | None, Path | None]:
    """(first video, first audio) .mjr of one feed in a room's folder."""
    found = sorted(Path(rec_dir).glob(f"videoroom-{janus_room}-user-{feed}-*.mjr"))
    video = next((f for f in found if "-video-" in f.name), None)
    audio = next((f for f in found if "-audio-" in f.name), None)
    return video, audio


async def _run(*cmd: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        *cmd, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{Path(cmd[0]).name} failed: {err.decode(errors='replace')[-500:]}")


async def _part(pp: str, ff: str, work: Path, n: int, video: Path, audio: Path | None) -> Path:
    v = work / f"v{n}.webm"
    await _run(pp, str(video), str(v))
    out = work / f"part{n}.webm"
    if audio is None:
        return v
    a = work / f"a{n}.opus"
    await _run(pp, str(audio), str(a))
    await _run(ff, "-y", "-v", "error", "-i", str(v), "-i", str(a), "-c", "copy", str(out))
    return out


async def make_replay(db: AsyncSession, settings: Settings, lesson_id: int) -> str:
    """Builds the lesson's replay; its state afterwards (ready, failed, or None: nothing to
    play)."""
    lesson = await db.get(Lesson, lesson_id)
    if lesson is None:
        return "failed"
    found = tools()
    rooms = (
        await db.execute(
            select(MediaRoom)
            .where(MediaRoom.owner_kind == "lesson", MediaRoom.owner_id == lesson.id)
            .order_by(MediaRoom.id)
        )
    ).scalars()
    sources: list[tuple[Path, Path | None]] = []
    for room in rooms:
        if not room.rec_dir:
            continue
        for feed in lesson.recorded_feeds or []:
            video, audio = _recordings(room.rec_dir, room.janus_room, feed)
            if video is not None:
                sources.append((video, audio))
    if not sources:
        lesson.replay_state = None
        return "none"
    if found is None:
        log.warning("lesson %s: no replay (janus-pp-rec and ffmpeg are needed)", lesson.id)
        lesson.replay_state = "failed"
        return "failed"
    pp, ff = found
    target = replay_file(settings, lesson.id)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        work = Path(tmp)
        parts = [await _part(pp, ff, work, n, v, a) for n, (v, a) in enumerate(sources)]
        listing = work / "parts.txt"
        listing.write_text("".join(f"file '{p}'\n" for p in parts))
        joined = work / "replay.webm"
        await _run(
            ff,
            "-y",
            "-v",
            "error",
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            str(listing),
            "-c",
            "copy",
            str(joined),
        )
        joined.replace(target)
    lesson.replay_state = "ready"
    return "ready"
