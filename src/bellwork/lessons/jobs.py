"""Lessons' jobs: `lessons.cards`, a new lesson's card into its classes' groups (keyed by
the lesson: posted once); `lessons.replay`, the recordings of an ended lesson made into a
playable file (lessons/replay.py)."""

from __future__ import annotations

from bellwork.jobs.registry import JobContext, handler
from bellwork.lessons import service
from bellwork.lessons.cards import post_cards
from bellwork.lessons.models import Lesson
from bellwork.lessons.replay import REPLAY, make_replay
from bellwork.lessons.service import CARDS


@handler(CARDS, max_attempts=20, backoff=2.0)
async def cards(job: JobContext) -> None:
    await post_cards(job.db, int(job.payload["lesson"]))


@handler(REPLAY, max_attempts=3, backoff=30.0, timeout=3600.0)
async def replay(job: JobContext) -> None:
    lesson_id = int(job.payload["lesson"])
    try:
        await make_replay(job.db, job.runtime.settings, lesson_id)
    except Exception:
        if job.attempt < 3:
            raise
        lesson = await job.db.get(Lesson, lesson_id)
        if lesson is not None:
            lesson.replay_state = "failed"
    lesson = await job.db.get(Lesson, lesson_id)
    if lesson is not None:
        await service.changed(job.db, lesson)
