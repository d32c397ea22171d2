"""Guardians shown as their child's parent (王军杰妈妈 / "Wang Junjie's mother").

In a school a teacher knows a guardian by their child: chat shows a guardian in member lists,
receipts, mentions and message headers as the parent of a child, and clients word it in the
reader's language from `ParentOf` (the child's name and the relation as stored, e.g. 母亲).

Who: people linked as a guardian who hold no other role anywhere (a teacher who is also a
parent stays a teacher). Which child, for a guardian of several: one who is a student under
`near_path` (the class of the group being read) if any, else the first linked.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bellwork.org.models import GuardianLink, Membership, Person, Role, Unit
from bellwork.org.units import subtree_clause

BATCH = 500


@dataclass(frozen=True)
class ParentOf:
    student_id: int
    student_name: str
    relation: str | None


@functools.cache
def _guardians_base() -> Select[int, int, str, str | None]:
    """Guardians' children, built once: every message a guardian sends names them this way,
    and putting the aliased select together cost more CPU than running it."""
    student = aliased(Person)
    other_role = exists().where(
        Membership.person_id == GuardianLink.guardian_id, Membership.role != Role.guardian.value
    )
    return (
        select(
            GuardianLink.guardian_id, GuardianLink.student_id, student.name, GuardianLink.relation
        )
        .join(student, student.id == GuardianLink.student_id)
        .where(~other_role)
        .order_by(GuardianLink.guardian_id, GuardianLink.student_id)
    )


async def parents_of(
    db: AsyncSession,
    people: Collection[int] | Select[int],
    near_path: str | Callable[[], Awaitable[str | None]] | None = None,
) -> dict[int, ParentOf]:
    """How each guardian among `people` (ids, or a select of ids, e.g. a conversation's
    members) is shown: as the parent of which child. Others are missing from the answer.
    `near_path` (or a function that finds it, called only for a guardian of several
    children) is the unit whose students come first."""
    base = _guardians_base()
    rows: list[tuple[int, int, str, str | None]] = []
    if isinstance(people, Select):
        found = await db.execute(base.where(GuardianLink.guardian_id.in_(people)))
        rows = [(g, s, n, r) for g, s, n, r in found]
    else:
        ids = sorted(set(people))
        for i in range(0, len(ids), BATCH):
            found = await db.execute(base.where(GuardianLink.guardian_id.in_(ids[i : i + BATCH])))
            rows.extend((g, s, n, r) for g, s, n, r in found)
    near: set[int] = set()
    counts: dict[int, int] = {}
    for r in rows:
        counts[r[0]] = counts.get(r[0], 0) + 1
    several = {g for g, n in counts.items() if n > 1}
    if callable(near_path):
        near_path = await near_path() if several else None
    if near_path is not None and several:
        students = sorted({r[1] for r in rows if r[0] in several})
        for i in range(0, len(students), BATCH):
            found = await db.execute(
                select(Membership.person_id)
                .join(Unit, Unit.id == Membership.unit_id)
                .where(
                    Membership.person_id.in_(students[i : i + BATCH]),
                    Membership.role == Role.student.value,
                    subtree_clause(near_path),
                )
            )
            near.update(found.scalars())
    out: dict[int, ParentOf] = {}
    for guardian, sid, name, relation in rows:
        have = out.get(guardian)
        if have is None or (sid in near and have.student_id not in near):
            out[guardian] = ParentOf(sid, name, relation)
    return out
