"""Who may do what in a lesson (docs/lessons.md, "Who may"):

- join, watch, comment, raise a hand, follow `lesson:<id>`: the members of its classes (any
  role: students, guardians, teachers), its teacher, heads of a unit above a class and
  administrators; for anyone else the lesson does not exist (404 alike);
- teach (go live, publish, accept hands, mute, end): its teacher;
- see attendance: its teacher, teachers of its classes, heads above them, administrators.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.core.errors import Forbidden, NotFound
from bellwork.lessons.models import Lesson, LessonClass
from bellwork.org.models import Membership, Person, Role, Unit
from bellwork.org.settings import chain


async def class_units(db: AsyncSession, lesson_id: int) -> list[Unit]:
    """The lesson's classes, read once per request (a join checks access, shapes the lesson and
    whether one sees its attendance from them; a lesson's classes never change)."""
    kept: dict[int, list[Unit]] = db.info.setdefault("lesson_units", {})
    if lesson_id not in kept:
        rows = await db.execute(
            select(Unit)
            .join(LessonClass, LessonClass.unit_id == Unit.id)
            .where(LessonClass.lesson_id == lesson_id)
            .order_by(Unit.id)
        )
        kept[lesson_id] = list(rows.scalars())
    return list(kept[lesson_id])


async def _relation(
    db: AsyncSession, person_id: int, lesson: Lesson, roles: tuple[str, ...] | None
) -> bool:
    """Whether the person has a membership (with one of `roles`, or any) in one of the
    lesson's classes, or heads a unit above one of them. The person's memberships that count
    are read once per request (a join asks whether one may join and see attendance)."""
    units = await class_units(db, lesson.id)
    if not units:
        return False
    above = {i for u in units for i in chain(u.path)}
    classes = {u.id for u in units}
    kept: dict[tuple[int, int], list[tuple[int, str]]] = db.info.setdefault("lesson_relations", {})
    key = (person_id, lesson.id)
    if key not in kept:
        rows = await db.execute(
            select(Membership.unit_id, Membership.role).where(
                Membership.person_id == person_id,
                or_(
                    Membership.unit_id.in_(classes),
                    and_(Membership.unit_id.in_(above), Membership.role == Role.head.value),
                ),
            )
        )
        kept[key] = [(int(u), str(r)) for u, r in rows.all()]
    return any(
        (unit in classes and (roles is None or role in roles))
        or (unit in above and role == Role.head.value)
        for unit, role in kept[key]
    )


async def may_join(db: AsyncSession, person: Person, lesson: Lesson) -> bool:
    if person.is_admin or lesson.teacher_id == person.id:
        return True
    return await _relation(db, person.id, lesson, None)


async def may_join_id(db: AsyncSession, person_id: int, lesson_id: int) -> bool:
    person = await db.get(Person, person_id)
    lesson = await db.get(Lesson, lesson_id)
    if person is None or not person.active or lesson is None:
        return False
    return await may_join(db, person, lesson)


async def may_see_attendance(db: AsyncSession, person: Person, lesson: Lesson) -> bool:
    if person.is_admin or lesson.teacher_id == person.id:
        return True
    return await _relation(db, person.id, lesson, (Role.teacher.value, Role.head.value))


async def access_lesson(db: AsyncSession, person: Person, lesson_id: int) -> Lesson:
    """The lesson, if this person may join it; 404 alike for missing and not theirs."""
    lesson = await db.get(Lesson, lesson_id)
    if lesson is None or not await may_join(db, person, lesson):
        raise NotFound("lesson")
    return lesson


def require_teacher(person: Person, lesson: Lesson) -> None:
    if lesson.teacher_id != person.id:
        raise Forbidden("lesson_teacher_only")
