"""Whom a report goes to by default: one's managers (`org.managers.managers_of`, kept here
under its old name) — and who is expected to report to a manager at a unit
(`team_members`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.chat.schemas import PersonRef
from bellwork.org.managers import WORKING, heads_above, managers_of
from bellwork.org.models import Membership, Person, Role, Unit
from bellwork.org.search import prefix_end

__all__ = ["WORKING", "heads_above", "managers_of", "refs", "team_members"]


async def team_members(db: AsyncSession, unit: Unit, leave_out: int | None = None) -> list[Person]:
    """Everyone who works in the unit or below it, but the unit's own heads (those the team
    reports to) and deactivated accounts, by name."""
    own_heads = select(Membership.person_id).where(
        Membership.unit_id == unit.id, Membership.role == Role.head.value
    )
    rows = await db.execute(
        select(Person)
        .join(Membership, Membership.person_id == Person.id)
        .join(Unit, Unit.id == Membership.unit_id)
        .where(
            Unit.path >= unit.path,
            Unit.path < prefix_end(unit.path),
            Unit.archived_at.is_(None),
            Membership.role.in_(WORKING),
            Person.deactivated_at.is_(None),
            Person.id.not_in(own_heads),
        )
        .distinct()
    )
    people = [p for p in rows.scalars() if p.id != leave_out]
    return sorted(people, key=lambda p: (p.name, p.id))


async def refs(db: AsyncSession, ids: Iterable[int]) -> dict[int, PersonRef]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await db.execute(select(Person.id, Person.name).where(Person.id.in_(wanted)))
    return {int(i): PersonRef(id=int(i), name=n) for i, n in rows.all()}
