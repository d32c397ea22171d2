"""A meeting's attendance and minutes (docs/meetings.md): everyone who came, their first join,
last leave, time in the meeting (overlapping intervals, e.g. two devices, counted once) and how
many times they joined; the conversation's members who never came; as XLSX too. Kept after the
room is gone. The minutes go into the meeting's conversation as a message of the host's."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat.access import member_ids
from bellwork.chat.groups import wanted_members
from bellwork.chat.messages import post_message
from bellwork.chat.models import Conversation
from bellwork.chat.schemas import MessageOut
from bellwork.core.errors import NotFound
from bellwork.core.i18n import t
from bellwork.media import attendance as shared
from bellwork.media.attendance import Span, aware, stop_of, union_seconds
from bellwork.meetings.access import access_meeting, may_see_attendance
from bellwork.meetings.models import Meeting, MeetingPresence
from bellwork.meetings.schemas import AttendanceOut, AttendeeOut, MeetingRef
from bellwork.org.models import Person, Unit


async def attendance(
    db: AsyncSession, actor: Actor, meeting_id: int, now: datetime
) -> AttendanceOut:
    """For the host and whoever created the meeting (404 for the others: they may join, but
    the figures are not theirs to see)."""
    meeting = await access_meeting(db, actor.person, meeting_id)
    if not may_see_attendance(actor.person, meeting):
        raise NotFound("meeting_attendance")
    return await figures(db, meeting, now)


async def figures(db: AsyncSession, meeting: Meeting, now: datetime) -> AttendanceOut:
    rows = (
        await db.execute(select(MeetingPresence).where(MeetingPresence.meeting_id == meeting.id))
    ).scalars()
    spans: dict[int, list[Span]] = defaultdict(list)
    for p in rows:
        stop = stop_of(p.left_at, p.seen_at, meeting.ended_at, now)
        spans[p.person_id].append((aware(p.joined_at), stop))
    expected = set(await member_ids(db, meeting.conversation_id))
    unit = await db.get(Unit, meeting.unit_id) if meeting.unit_id is not None else None
    if unit is not None:
        expected |= set(await wanted_members(db, unit))
    names = dict(
        (
            await db.execute(
                select(Person.id, Person.name).where(Person.id.in_(expected | set(spans)))
            )
        ).all()
    )
    attended = sorted(
        (
            AttendeeOut(
                person_id=pid,
                name=names.get(pid, ""),
                first_join=min(s[0] for s in mine),
                last_leave=max(s[1] for s in mine),
                seconds=union_seconds(mine),
                joins=len(mine),
            )
            for pid, mine in spans.items()
        ),
        key=lambda a: (a.first_join, a.person_id),
    )
    absent = sorted(
        (MeetingRef(id=pid, name=names.get(pid, "")) for pid in expected - set(spans)),
        key=lambda r: (r.name, r.id),
    )
    return AttendanceOut(
        meeting_id=meeting.id,
        title=meeting.title,
        started_at=meeting.started_at,
        ended_at=meeting.ended_at,
        attended=attended,
        absent=absent,
    )


HEADERS = {
    "en": ["Name", "Attended", "First joined (UTC)", "Last left (UTC)", "Minutes", "Joins"],
    "zh-CN": ["姓名", "是否参会", "首次进入 (UTC)", "最后离开 (UTC)", "参会分钟", "进入次数"],
}


def _rows(figs: AttendanceOut, zh: bool) -> list[list[Any]]:
    when = "%Y-%m-%d %H:%M:%S"
    rows: list[list[Any]] = [
        [
            a.name,
            "是" if zh else "yes",
            a.first_join.strftime(when),
            a.last_leave.strftime(when),
            round(a.seconds / 60, 1),
            a.joins,
        ]
        for a in figs.attended
    ]
    rows += [[p.name, "否" if zh else "no", "", "", 0, 0] for p in figs.absent]
    return rows


async def xlsx(figs: AttendanceOut, locale: str) -> bytes:
    zh = locale == "zh-CN"
    return await shared.xlsx(
        HEADERS["zh-CN" if zh else "en"], _rows(figs, zh), widths={0: 18, 2: 22, 3: 22}
    )


async def post_minutes(
    db: AsyncSession, actor: Actor, meeting_id: int, text: str, now: datetime
) -> MessageOut:
    """The minutes as the host's (or creator's) message in the meeting's conversation: a head
    line with the meeting's title, date, how many came and how long it lasted, then the text."""
    meeting = await access_meeting(db, actor.person, meeting_id)
    if not may_see_attendance(actor.person, meeting):
        raise NotFound("meeting_attendance")
    conv = await db.get(Conversation, meeting.conversation_id)
    if conv is None:
        raise NotFound("conversation")
    figs = await figures(db, meeting, now)
    start = meeting.started_at or meeting.starts_at or meeting.created_at
    stop = meeting.ended_at or now
    minutes = max(0, int((aware(stop) - aware(start)).total_seconds() // 60))
    head = t(
        "meeting_minutes_head",
        title=meeting.title,
        date=aware(start).strftime("%Y-%m-%d"),
        people=len(figs.attended),
        minutes=minutes,
    )
    meeting.minutes = text.strip()
    return await post_message(db, conv, actor.person, f"{head}\n\n{meeting.minutes}")
