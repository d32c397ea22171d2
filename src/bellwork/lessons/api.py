"""Live lessons over HTTP (docs/lessons.md): scheduling and going live, joining and leaving,
the signalling of publishing and watching (through Bellwork: browsers reach Janus only for
media), raised hands and the stage, comments, likes, mutes, attendance and its XLSX."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel

from bellwork.core.deps import DB, CurrentActor, CurrentScope
from bellwork.core.errors import NotFound
from bellwork.core.i18n import current_locale
from bellwork.core.routing import Router
from bellwork.core.types import PathId
from bellwork.db.session import done_with_database
from bellwork.lessons import attendance, service, stage
from bellwork.lessons.access import access_lesson
from bellwork.lessons.replay import replay_file
from bellwork.lessons.schemas import (
    AttendanceOut,
    CommentIn,
    CommentOut,
    LessonCreate,
    LessonOut,
    LessonRef,
    LessonSummary,
    LessonView,
    MuteIn,
    PublishIn,
    PublishOut,
    WatchAnswer,
    WatchIn,
    WatchOut,
)

WEBM = "video/webm"


class WatchingIn(BaseModel):
    watching: bool


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
router = Router(prefix="/api/v1/lessons", tags=["lessons"])


def _now() -> datetime:
    return datetime.now(UTC)


@router.post("", response_model=LessonView, status_code=201)
async def create_lesson(
    data: LessonCreate, db: DB, actor: CurrentActor, scope: CurrentScope, response: Response
) -> LessonView:
    """Schedules a lesson for classes one teaches (or heads), or starts it now (`start_now`);
    its card goes into each class's group. 403 `lesson_not_allowed` for other units; 503
    `media_unavailable` when going live finds no media server. A retry (same `client_id`)
    answers 200 with the first."""
    lesson, created = await service.create(db, actor, scope, data, _now())
    if not created:
        response.status_code = 200
    return await service.view(db, actor, lesson)


@router.get("", response_model=list[LessonSummary])
async def my_lessons(db: DB, actor: CurrentActor, scope: CurrentScope) -> list[LessonSummary]:
    """Lessons one teaches, may join through one's classes, or of classes under units one
    heads (the school sees its lessons' attendance), newest first."""
    return await service.list_mine(db, actor, scope)


@router.get("/classes", response_model=list[LessonRef])
async def my_classes(db: DB, actor: CurrentActor) -> list[LessonRef]:
    """The units one may schedule a lesson for (where one teaches or is head)."""
    return await service.teaching_units(db, actor)


@router.get("/{lesson_id}", response_model=LessonView)
async def get_lesson(lesson_id: PathId, db: DB, actor: CurrentActor) -> LessonView:
    """The lesson for its classes' members (404 for anyone else)."""
    return await service.view(db, actor, await access_lesson(db, actor.person, lesson_id))


@router.post("/{lesson_id}/start", response_model=LessonOut)
async def start_lesson(lesson_id: PathId, db: DB, actor: CurrentActor) -> LessonOut:
    """The teacher goes live: a Janus room is opened (recording)."""
    lesson = await access_lesson(db, actor.person, lesson_id)
    return await service.go_live(db, actor, lesson, _now())


@router.post("/{lesson_id}/end", response_model=LessonOut)
async def end_lesson(lesson_id: PathId, db: DB, actor: CurrentActor) -> LessonOut:
    """The teacher ends it for everyone: the room closes, every presence ends."""
    lesson = await access_lesson(db, actor.person, lesson_id)
    return await service.end(db, actor, lesson, _now())


@router.post("/{lesson_id}/join", response_model=LessonView)
async def join_lesson(lesson_id: PathId, db: DB, actor: CurrentActor) -> LessonView:
    """One is in the lesson from now (attendance). Also after `lesson.media_reset` or a lost
    connection: the room is checked and opened again if its media server forgot it."""
    return await service.join(db, actor, lesson_id, _now())


@router.post("/{lesson_id}/here", status_code=204)
async def still_here(lesson_id: PathId, db: DB, actor: CurrentActor) -> None:
    """The lesson page's heartbeat (every 30 s): without one for 90 s, a page that vanished
    without leaving stops counting in attendance."""
    await service.here(db, actor, lesson_id, _now())


@router.post("/{lesson_id}/leave", status_code=204)
async def leave_lesson(lesson_id: PathId, db: DB, actor: CurrentActor) -> None:
    await service.leave(db, actor, lesson_id, _now())


@router.post("/{lesson_id}/publish", response_model=PublishOut)
async def publish(lesson_id: PathId, data: PublishIn, db: DB, actor: CurrentActor) -> PublishOut:
    """The browser's SDP offer (non-trickle) to publish: Janus's answer. The teacher, or a
    student on stage (camera only); anyone else 403 `lesson_not_on_stage`."""
    return await stage.publish(db, actor, lesson_id, data)


@router.post("/{lesson_id}/unpublish", response_model=LessonOut)
async def unpublish(lesson_id: PathId, db: DB, actor: CurrentActor) -> LessonOut:
    return await stage.unpublish(db, actor, lesson_id)


@router.post("/{lesson_id}/watch", response_model=WatchOut)
async def watch(lesson_id: PathId, data: WatchIn, db: DB, actor: CurrentActor) -> WatchOut:
    """Janus's SDP offer for one feed; answer it with `watch/answer`."""
    watching = await stage.watch(db, actor, lesson_id, data.feed)
    # Janus's offer takes a round trip: the database connection (and SQLite's write gate)
    # are not held while it comes.
    await done_with_database(db)
    return await stage.subscribe(watching)


@router.post("/{lesson_id}/watch/answer", status_code=204)
async def watch_answer(lesson_id: PathId, data: WatchAnswer, db: DB, actor: CurrentActor) -> None:
    watching = await stage.watch_answer(db, actor, lesson_id, data.feed)
    await done_with_database(db)
    await stage.answer(watching, data)


@router.post("/{lesson_id}/hand", response_model=LessonOut)
async def raise_hand(lesson_id: PathId, db: DB, actor: CurrentActor) -> LessonOut:
    return await stage.raise_hand(db, actor, lesson_id, _now())


@router.delete("/{lesson_id}/hand", response_model=LessonOut)
async def lower_hand(lesson_id: PathId, db: DB, actor: CurrentActor) -> LessonOut:
    """One's hand down, or oneself off stage."""
    return await stage.lower_hand(db, actor, lesson_id)


@router.post("/{lesson_id}/stage/{person_id}", response_model=LessonOut)
async def accept_hand(
    lesson_id: PathId, person_id: PathId, db: DB, actor: CurrentActor
) -> LessonOut:
    """The teacher brings a raised hand on stage (409 `lesson_stage_full` past the limit)."""
    return await stage.accept(db, actor, lesson_id, person_id)


@router.delete("/{lesson_id}/stage/{person_id}", response_model=LessonOut)
async def take_off_stage(
    lesson_id: PathId, person_id: PathId, db: DB, actor: CurrentActor
) -> LessonOut:
    """The teacher takes someone off stage: their publisher is hung up in Janus."""
    return await stage.take_off(db, actor, lesson_id, person_id)


@router.get("/{lesson_id}/comments", response_model=list[CommentOut])
async def comments(lesson_id: PathId, db: DB, actor: CurrentActor) -> list[CommentOut]:
    return await service.comments(db, actor, lesson_id)


@router.post("/{lesson_id}/comments", response_model=CommentOut, status_code=201)
async def add_comment(
    lesson_id: PathId, data: CommentIn, db: DB, actor: CurrentActor
) -> CommentOut:
    """A comment or question (403 `lesson_comments_muted` / `lesson_you_are_muted`)."""
    return await service.comment(db, actor, lesson_id, data, _now())


@router.post("/{lesson_id}/likes", response_model=int)
async def like(lesson_id: PathId, db: DB, actor: CurrentActor) -> int:
    return await service.like(db, actor, lesson_id)


@router.post("/{lesson_id}/mute", response_model=LessonOut)
async def mute(lesson_id: PathId, data: MuteIn, db: DB, actor: CurrentActor) -> LessonOut:
    """The teacher mutes (or unmutes) comments for everyone or one person."""
    return await service.mute(db, actor, lesson_id, data)


@router.get(
    "/{lesson_id}/replay", response_class=FileResponse, responses={200: {"content": {WEBM: {}}}}
)
async def replay_video(
    request: Request, lesson_id: PathId, db: DB, actor: CurrentActor
) -> FileResponse:
    """The lesson's recording as WebM (byte ranges served), once `replay` is ready."""
    lesson = await access_lesson(db, actor.person, lesson_id)
    path = replay_file(request.app.state.runtime.settings, lesson.id)
    if lesson.replay_state != "ready" or not path.exists():
        raise NotFound("lesson_replay")
    return FileResponse(path, media_type=WEBM, headers={"Cache-Control": "private, max-age=3600"})


@router.post("/{lesson_id}/replay/watching", status_code=204)
async def replay_watching(lesson_id: PathId, data: WatchingIn, db: DB, actor: CurrentActor) -> None:
    """The replay started (`watching`) or stopped playing: replay time in attendance."""
    await service.replay_presence(db, actor, lesson_id, _now(), watching=data.watching)


@router.get("/{lesson_id}/attendance", response_model=AttendanceOut)
async def get_attendance(lesson_id: PathId, db: DB, actor: CurrentActor) -> AttendanceOut:
    """By class: who came, first join, time watched live and in replay, who never came. The
    teacher, teachers of its classes, heads above and administrators (404 for others)."""
    return await attendance.attendance(db, actor, lesson_id, _now())


@router.get(
    "/{lesson_id}/attendance.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def attendance_xlsx(lesson_id: PathId, db: DB, actor: CurrentActor) -> Response:
    figs = await attendance.attendance(db, actor, lesson_id, _now())
    body = await attendance.xlsx(figs, current_locale.get())
    return Response(
        body,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="lesson-{lesson_id}.xlsx"'},
    )
