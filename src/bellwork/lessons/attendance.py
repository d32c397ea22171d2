"""A lesson's attendance (docs/lessons.md, "Attendance"): by class, each student's first
join, last leave and time watched live and in replay (overlapping intervals, e.g. two
devices, counted once), and who never came; as XLSX too. Kept after the room is gone."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.core.errors import NotFound
from bellwork.lessons.access import access_lesson, class_units, may_see_attendance
from bellwork.lessons.models import Lesson, LessonPresence
from bellwork.lessons.schemas import AttendanceOut, AttendeeOut, ClassAttendance, LessonRef
from bellwork.media import attendance as shared
from bellwork.media.attendance import GRACE, aware, stop_of, union_seconds
from bellwork.org.models import Membership, Person, Role

__all__ = ["GRACE", "attendance", "figures", "xlsx"]


async def attendance(
    db: AsyncSession, actor: Actor, lesson_id: int, now: datetime
) -> AttendanceOut:
    lesson = await access_lesson(db, actor.person, lesson_id)
    if not await may_see_attendance(db, actor.person, lesson):
        raise NotFound("lesson")
    return await figures(db, lesson, now)


async def figures(db: AsyncSession, lesson: Lesson, now: datetime) -> AttendanceOut:
    rows = (
        await db.execute(select(LessonPresence).where(LessonPresence.lesson_id == lesson.id))
    ).scalars()
    spans: dict[int, dict[str, list[tuple[datetime, datetime]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for p in rows:
        stop = stop_of(p.left_at, p.seen_at, lesson.ended_at, now)
        spans[p.person_id][p.kind].append((aware(p.joined_at), stop))
    classes = []
    for unit in await class_units(db, lesson.id):
        students = (
            await db.execute(
                select(Person.id, Person.name)
                .join(Membership, Membership.person_id == Person.id)
                .where(Membership.unit_id == unit.id, Membership.role == Role.student.value)
                .order_by(Person.sort_key, Person.id)
            )
        ).all()
        attended, absent = [], []
        for pid, name in students:
            mine = spans.get(pid)
            if not mine:
                absent.append(LessonRef(id=pid, name=name))
                continue
            every = [s for k in mine.values() for s in k]
            attended.append(
                AttendeeOut(
                    person_id=pid,
                    name=name,
                    first_join=min(s[0] for s in every),
                    last_leave=max(s[1] for s in every),
                    live_seconds=union_seconds(mine.get("live", [])),
                    replay_seconds=union_seconds(mine.get("replay", [])),
                    joins=len(mine.get("live", [])),
                )
            )
        classes.append(
            ClassAttendance(unit_id=unit.id, name=unit.name, attended=attended, absent=absent)
        )
    return AttendanceOut(
        lesson_id=lesson.id,
        title=lesson.title,
        started_at=lesson.started_at,
        ended_at=lesson.ended_at,
        classes=classes,
    )


HEADERS = {
    "en": [
        "Class",
        "Student",
        "Attended",
        "First joined (UTC)",
        "Minutes live",
        "Minutes replay",
        "Joins",
    ],
    "zh-CN": [
        "班级",
        "学生",
        "是否出勤",
        "首次进入 (UTC)",
        "直播观看分钟",
        "回放观看分钟",
        "进入次数",
    ],
}


def _rows(figs: AttendanceOut, zh: bool) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for c in figs.classes:
        for a in c.attended:
            first = a.first_join.strftime("%Y-%m-%d %H:%M:%S") if a.first_join else ""
            rows.append(
                [
                    c.name,
                    a.name,
                    "是" if zh else "yes",
                    first,
                    round(a.live_seconds / 60, 1),
                    round(a.replay_seconds / 60, 1),
                    a.joins,
                ]
            )
        for p in c.absent:
            rows.append([c.name, p.name, "否" if zh else "no", "", 0, 0, 0])
    return rows


async def xlsx(figs: AttendanceOut, locale: str) -> bytes:
    """The figures as a workbook (built in a thread: not in the event loop)."""
    zh = locale == "zh-CN"
    return await shared.xlsx(
        HEADERS["zh-CN" if zh else "en"], _rows(figs, zh), widths={0: 18, 1: 18, 3: 22}
    )
