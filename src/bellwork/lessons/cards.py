"""A lesson's card in its classes' groups (docs/lessons.md): posted by the `lessons.cards`
job (keyed by the lesson: once) through chat's `post_unit_cards`, as notices and forms post
theirs. Tapping it opens the lesson page, which asks whether it is live."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.chat.cards import post_unit_cards
from bellwork.chat.models import MessageKind
from bellwork.lessons.models import Lesson, LessonClass


async def post_cards(db: AsyncSession, lesson_id: int) -> int:
    lesson = await db.get(Lesson, lesson_id)
    if lesson is None:
        return 0
    units = (
        await db.execute(select(LessonClass.unit_id).where(LessonClass.lesson_id == lesson.id))
    ).scalars()
    return await post_unit_cards(
        db,
        list(units),
        lesson.title,
        kind=MessageKind.lesson,
        card={
            "lesson_id": lesson.id,
            "starts_at": lesson.starts_at.isoformat() if lesson.starts_at else None,
        },
    )
