"""Meetings over HTTP (docs/meetings.md): scheduling and starting, joining (through the waiting
room) and leaving, the signalling of publishing and watching (through Bellwork: browsers reach
Janus only for media), one's microphone and camera, the host's tools, attendance and its XLSX,
the minutes."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Response

from bellwork.chat.schemas import MessageOut
from bellwork.core.deps import DB, CurrentActor, CurrentScope
from bellwork.core.i18n import current_locale
from bellwork.core.routing import Router
from bellwork.core.types import PathId
from bellwork.db.session import done_with_database
from bellwork.meetings import attendance, host, service, streams
from bellwork.meetings.access import access_meeting
from bellwork.meetings.schemas import (
    AttendanceOut,
    DevicesIn,
    FlagIn,
    HostIn,
    MeetingCreate,
    MeetingMove,
    MeetingOut,
    MeetingSummary,
    MeetingView,
    MinutesIn,
    MuteIn,
    PublishIn,
    PublishOut,
    WatchAnswer,
    WatchIn,
    WatchOut,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
router = Router(prefix="/api/v1/meetings", tags=["meetings"])


def _now() -> datetime:
    return datetime.now(UTC)


@router.post("", response_model=MeetingView, status_code=201)
async def create_meeting(
    data: MeetingCreate, db: DB, actor: CurrentActor, scope: CurrentScope, response: Response
) -> MeetingView:
    """Schedules a meeting for a conversation one is in, a unit's group one belongs in, or
    invited people (a group is made for them), or starts it now (`start_now`); its card goes
    into the conversation. 422 `meeting_time_past` for a planned time that is not ahead
    (unless it starts now); 503 `media_unavailable` when starting finds no media server. A
    retry (same `client_id`) answers 200 with the first."""
    meeting, created = await service.create(db, actor, scope, data, _now())
    if not created:
        response.status_code = 200
    return await service.view(db, actor, meeting)


@router.get("", response_model=list[MeetingSummary])
async def my_meetings(db: DB, actor: CurrentActor) -> list[MeetingSummary]:
    """Meetings of the conversations one is in, newest first."""
    return await service.list_mine(db, actor)


@router.get("/{meeting_id}", response_model=MeetingView)
async def get_meeting(meeting_id: PathId, db: DB, actor: CurrentActor) -> MeetingView:
    """The meeting for its conversation's members (404 for anyone else)."""
    return await service.view(db, actor, await access_meeting(db, actor.person, meeting_id))


@router.patch("/{meeting_id}", response_model=MeetingOut)
async def move_meeting(
    meeting_id: PathId, data: MeetingMove, db: DB, actor: CurrentActor
) -> MeetingOut:
    """The host moves a meeting that has not started (409 `meeting_not_scheduled` once it
    has; 422 `meeting_time_past` for a time not ahead): its reminders follow the new time;
    those of the old time never go."""
    meeting = await access_meeting(db, actor.person, meeting_id)
    return await service.move(db, actor, meeting, data, _now())


@router.post("/{meeting_id}/start", response_model=MeetingOut)
async def start_meeting(meeting_id: PathId, db: DB, actor: CurrentActor) -> MeetingOut:
    """The host starts it: a Janus room opens and the host is in it."""
    meeting = await access_meeting(db, actor.person, meeting_id)
    return await service.start(db, actor, meeting, _now())


@router.post("/{meeting_id}/end", response_model=MeetingOut)
async def end_meeting(meeting_id: PathId, db: DB, actor: CurrentActor) -> MeetingOut:
    """The host ends it for everyone: the room closes, every presence ends."""
    meeting = await access_meeting(db, actor.person, meeting_id)
    return await service.end(db, actor, meeting, _now())


@router.post("/{meeting_id}/join", response_model=MeetingView)
async def join_meeting(meeting_id: PathId, db: DB, actor: CurrentActor) -> MeetingView:
    """One joins (attendance), or waits to be admitted (`me: waiting`). 403
    `meeting_removed`, `meeting_locked`; 409 `meeting_full`. Also after
    `meeting.media_reset` or a lost connection."""
    return await service.join(db, actor, meeting_id, _now())


@router.post("/{meeting_id}/here", status_code=204)
async def still_here(meeting_id: PathId, db: DB, actor: CurrentActor) -> None:
    """The meeting page's heartbeat (every 30 s)."""
    await service.here(db, actor, meeting_id, _now())


@router.post("/{meeting_id}/leave", status_code=204)
async def leave_meeting(meeting_id: PathId, db: DB, actor: CurrentActor) -> None:
    await service.leave(db, actor, meeting_id, _now())


@router.post("/{meeting_id}/publish", response_model=PublishOut)
async def publish(meeting_id: PathId, data: PublishIn, db: DB, actor: CurrentActor) -> PublishOut:
    """The browser's SDP offer (non-trickle): Janus's answer. Camera and microphone, or a
    screen share (`screen`; 409 `meeting_screen_busy` while someone else shares)."""
    return await streams.publish(db, actor, meeting_id, data)


@router.post("/{meeting_id}/unpublish", response_model=MeetingOut)
async def unpublish(
    meeting_id: PathId, db: DB, actor: CurrentActor, screen: bool = False
) -> MeetingOut:
    return await streams.unpublish(db, actor, meeting_id, screen)


@router.post("/{meeting_id}/watch", response_model=WatchOut)
async def watch(meeting_id: PathId, data: WatchIn, db: DB, actor: CurrentActor) -> WatchOut:
    """Janus's SDP offer for one feed; answer it with `watch/answer`."""
    watching = await streams.watch(db, actor, meeting_id, data.feed)
    # Janus's offer takes a round trip: the database connection (and SQLite's write gate)
    # are not held while it comes.
    await done_with_database(db)
    return await streams.subscribe(watching)


@router.post("/{meeting_id}/watch/answer", status_code=204)
async def watch_answer(meeting_id: PathId, data: WatchAnswer, db: DB, actor: CurrentActor) -> None:
    watching = await streams.watch_answer(db, actor, meeting_id, data.feed)
    await done_with_database(db)
    await streams.answer(watching, data)


@router.post("/{meeting_id}/unwatch", status_code=204)
async def unwatch(meeting_id: PathId, data: WatchIn, db: DB, actor: CurrentActor) -> None:
    watching = await streams.unwatch(db, actor, meeting_id, data.feed)
    await done_with_database(db)
    await streams.drop(watching)


@router.post("/{meeting_id}/devices", response_model=MeetingOut)
async def devices(meeting_id: PathId, data: DevicesIn, db: DB, actor: CurrentActor) -> MeetingOut:
    """One's microphone or camera on or off (403 `meeting_muted_by_host` for the microphone
    while the host has muted one)."""
    return await streams.devices(db, actor, meeting_id, data)


@router.post("/{meeting_id}/mute", response_model=MeetingOut)
async def mute(meeting_id: PathId, data: MuteIn, db: DB, actor: CurrentActor) -> MeetingOut:
    """The host hard-mutes one person or everyone (Janus drops their audio), or lets them
    unmute (`muted: false`)."""
    return await host.mute(db, actor, meeting_id, data)


@router.post("/{meeting_id}/remove/{person_id}", response_model=MeetingOut)
async def remove(meeting_id: PathId, person_id: PathId, db: DB, actor: CurrentActor) -> MeetingOut:
    """The host removes someone: kicked from the room, they cannot join again."""
    return await host.remove(db, actor, meeting_id, person_id, _now())


@router.post("/{meeting_id}/admit/{person_id}", response_model=MeetingOut)
async def admit(meeting_id: PathId, person_id: PathId, db: DB, actor: CurrentActor) -> MeetingOut:
    """The host lets someone in from the waiting room."""
    return await host.admit(db, actor, meeting_id, person_id, _now())


@router.post("/{meeting_id}/lock", response_model=MeetingOut)
async def lock(meeting_id: PathId, data: FlagIn, db: DB, actor: CurrentActor) -> MeetingOut:
    return await host.lock(db, actor, meeting_id, data.on)


@router.post("/{meeting_id}/waiting-room", response_model=MeetingOut)
async def waiting_room(meeting_id: PathId, data: FlagIn, db: DB, actor: CurrentActor) -> MeetingOut:
    return await host.waiting_room(db, actor, meeting_id, data.on, _now())


@router.post("/{meeting_id}/host", response_model=MeetingOut)
async def hand_over(meeting_id: PathId, data: HostIn, db: DB, actor: CurrentActor) -> MeetingOut:
    """The host hands the host role to someone in the meeting."""
    return await host.hand_over(db, actor, meeting_id, data.person_id)


@router.get("/{meeting_id}/attendance", response_model=AttendanceOut)
async def get_attendance(meeting_id: PathId, db: DB, actor: CurrentActor) -> AttendanceOut:
    """Who came, when, for how long, how many times; who never came. The host and the
    meeting's creator (404 for others)."""
    return await attendance.attendance(db, actor, meeting_id, _now())


@router.get(
    "/{meeting_id}/attendance.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def attendance_xlsx(meeting_id: PathId, db: DB, actor: CurrentActor) -> Response:
    figs = await attendance.attendance(db, actor, meeting_id, _now())
    body = await attendance.xlsx(figs, current_locale.get())
    return Response(
        body,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="meeting-{meeting_id}.xlsx"'},
    )


@router.post("/{meeting_id}/minutes", response_model=MessageOut, status_code=201)
async def minutes(meeting_id: PathId, data: MinutesIn, db: DB, actor: CurrentActor) -> MessageOut:
    """The host (or creator) posts the minutes into the meeting's conversation."""
    return await attendance.post_minutes(db, actor, meeting_id, data.text, _now())
