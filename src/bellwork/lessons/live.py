"""Live lessons on the socket: topic `lesson:<id>` (docs/lessons.md, docs/realtime.md).

A client in a lesson subscribes to `lesson:<id>`; whoever may join the lesson (its classes'
members, its teacher, heads above, administrators) may subscribe, anyone else is refused like
a lesson that does not exist. Events:

- `lesson.changed`: the lesson as everyone sees it (state, who publishes, hands and stage,
  mutes, likes): replace what you show. Publishers joining and leaving come this way (Janus
  does not tell subscribers when a publisher leaves).
- `lesson.comment`: a comment or question beside the video.
- `lesson.likes`: the like count moved.
- `lesson.media_reset`: the media server restarted and the lesson has a new room: publish and
  watch again (attendance keeps the gap).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.lessons.schemas import CommentOut, LessonOut
from bellwork.realtime.outbox import publish
from bellwork.realtime.protocol import Part, topic

LESSON = "lesson"


def lesson_topic(lesson_id: int) -> str:
    return topic(LESSON, lesson_id)


class LessonChanged(BaseModel):
    type: Literal["lesson.changed"] = "lesson.changed"
    lesson: LessonOut


class LessonCommented(BaseModel):
    type: Literal["lesson.comment"] = "lesson.comment"
    comment: CommentOut


class LessonLikes(BaseModel):
    type: Literal["lesson.likes"] = "lesson.likes"
    lesson_id: int
    likes: int


class LessonMediaReset(BaseModel):
    type: Literal["lesson.media_reset"] = "lesson.media_reset"
    lesson_id: int


def tell(db: AsyncSession, lesson_id: int, event: BaseModel) -> None:
    """Queue `event` for after commit to everyone following the lesson."""
    publish(db, event, [lesson_topic(lesson_id)])


async def _may_follow(db: AsyncSession, person_id: int, lesson_id: int) -> bool:
    from bellwork.lessons.access import may_join_id

    return await may_join_id(db, person_id, lesson_id)


PART = Part(
    name="lessons",
    events=(LessonChanged, LessonCommented, LessonLikes, LessonMediaReset),
    topics={LESSON: _may_follow},
)
