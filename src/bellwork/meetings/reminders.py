"""Reminders of a scheduled meeting (docs/meetings.md, "Reminders").

A meeting with a start time gets two `meetings.remind` jobs: 5 minutes before it ("starts in 5
minutes") and at it ("starts now"), each for the members of its conversation: an in-app event
(`meeting.starting` on their person topics) and a Web Push (category `notice`) that opens the
meeting. Each job is keyed by the meeting, the lead and the start time, so enqueueing again (a
retry, a restart) adds nothing and a run sends once. Moving the meeting takes its queued jobs
back and queues new ones; the job also checks, when it runs, that the meeting still starts at
the time it was queued for and was not ended (cancelled) meanwhile: otherwise it sends nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.chat.models import ConversationMember
from bellwork.jobs.queue import cancel, enqueue
from bellwork.meetings import live
from bellwork.meetings.models import Meeting
from bellwork.push import service as push
from bellwork.push.schemas import PushMessage

REMIND = "meetings.remind"
# Minutes before the start: a heads-up, then the start itself.
LEADS = (5, 0)


def _key(meeting_id: int, lead: int, starts_at: datetime) -> str:
    return f"{REMIND}:{meeting_id}:{lead}:{int(starts_at.timestamp() * 1000)}"


async def schedule(db: AsyncSession, meeting: Meeting, now: datetime) -> None:
    """Queues the reminders of a scheduled meeting that are still ahead (in the caller's
    transaction)."""
    at = meeting.starts_at
    if at is None or meeting.state != "scheduled":
        return
    for lead in LEADS:
        run_at = at - timedelta(minutes=lead)
        if run_at <= now:
            continue
        await enqueue(
            db,
            REMIND,
            {"meeting": meeting.id, "lead": lead, "at": at.isoformat()},
            run_at=run_at,
            key=_key(meeting.id, lead, at),
        )


async def unschedule(db: AsyncSession, meeting: Meeting) -> None:
    """Takes back the reminders queued for the meeting's current start time."""
    if meeting.starts_at is None:
        return
    for lead in LEADS:
        await cancel(db, _key(meeting.id, lead, meeting.starts_at))


def reminder_push(meeting: Meeting, lead: int) -> PushMessage:
    if lead:
        title, params = "push_meeting_soon_title", {"minutes": str(lead)}
    else:
        title, params = "push_meeting_now_title", {}
    return PushMessage(
        type="notice",
        title=title,
        params=params,
        body=meeting.title,
        url=f"/meetings/{meeting.id}",
        tag=f"bw-meeting-{meeting.id}",
    )


async def members(db: AsyncSession, meeting: Meeting) -> list[int]:
    rows = await db.execute(
        select(ConversationMember.person_id)
        .where(
            ConversationMember.conversation_id == meeting.conversation_id,
            ConversationMember.left_seq.is_(None),
        )
        .order_by(ConversationMember.person_id)
    )
    return list(rows.scalars())


async def remind(db: AsyncSession, meeting_id: int, lead: int, at: str) -> int:
    """The `meetings.remind` job: tells the members that the meeting starts (in `lead`
    minutes); nothing when it was ended or moved since. How many people were told."""
    meeting = await db.get(Meeting, meeting_id)
    if meeting is None or meeting.state == "ended" or meeting.starts_at is None:
        return 0
    if meeting.starts_at != datetime.fromisoformat(at):
        return 0  # moved: the jobs of its new time remind
    if lead and meeting.state == "live":
        return 0  # already on: the heads-up is moot (the reminder at the start still goes)
    people = await members(db, meeting)
    live.starting(
        db,
        live.MeetingStarting(
            meeting_id=meeting.id,
            title=meeting.title,
            starts_at=meeting.starts_at,
            minutes=lead,
            state=meeting.state,
        ),
        people,
    )
    # Stale a quarter of an hour after the start; urgent, to wake a phone in power saving.
    message = reminder_push(meeting, lead)
    await push.notify(db, people, "notice", message, ttl=(lead + 15) * 60, urgency="high")
    return len(people)
