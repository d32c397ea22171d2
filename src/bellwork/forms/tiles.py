"""Forms on the workbench: for everyone (a guardian fills, a teacher runs collections), with the
number of forms asked of the person today — for themself and the students they fill for — not
submitted yet (`filling.todo`: the person's own targets, a few rows); and for heads and
teachers, the abnormal cases still open where they may see them (`cases.count_open`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.db.base import utcnow
from bellwork.forms.cases import count_open
from bellwork.forms.filling import todo
from bellwork.org.access import Scope
from bellwork.org.models import Person
from bellwork.workbench.registry import Section, Tile


async def _to_fill(db: AsyncSession, scope: Scope) -> int:
    person = await db.get(Person, scope.person_id)
    if person is None:
        return 0
    return sum(1 for item in await todo(db, Actor(person=person), utcnow()) if not item.submitted)


def _follows_up(scope: Scope) -> bool:
    return scope.admin or bool(scope.head_paths or scope.teacher_units)


TILES = [
    Tile("forms.todo", Section.tools, "/forms", count=_to_fill),
    Tile("forms.cases", Section.tools, "/forms/cases", visible=_follows_up, count=count_open),
]
