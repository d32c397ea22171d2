"""Who works where and whom they report to — shared by work reports (whom a report goes to)
and approvals (a request's "direct manager" and "head N levels up"): the units one works in
(as a head, staff, teacher or member — not a student or guardian) and one's managers, the
heads of each unit one works in (for a head of the unit, or a unit without a head: the nearest
heads above)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.org.models import Membership, Person, Role, Unit
from bellwork.org.settings import chain

# The roles that work in a unit (not students or guardians).
WORKING = (Role.head.value, Role.staff.value, Role.teacher.value, Role.member.value)


async def working_units(db: AsyncSession, person_id: int) -> list[tuple[int, str, str]]:
    """(unit id, path, role) of every unit the person works in."""
    rows = await db.execute(
        select(Membership.unit_id, Unit.path, Membership.role)
        .join(Unit, Unit.id == Membership.unit_id)
        .where(
            Membership.person_id == person_id,
            Membership.role.in_(WORKING),
            Unit.archived_at.is_(None),
        )
    )
    return [(int(u), str(p), str(r)) for u, p, r in rows.all()]


async def managers_of(db: AsyncSession, person_id: int, within: str = "/") -> list[int]:
    """The heads one reports to, for the units one works in at or below `within`."""
    mine = [(u, p, r) for u, p, r in await working_units(db, person_id) if p.startswith(within)]
    chains = {u: chain(p) for u, p, _ in mine}
    ids = {x for along in chains.values() for x in along}
    if not ids:
        return []
    heads: dict[int, set[int]] = {}
    rows = await db.execute(
        select(Membership.unit_id, Membership.person_id)
        .join(Person, Person.id == Membership.person_id)
        .where(
            Membership.unit_id.in_(ids),
            Membership.role == Role.head.value,
            Person.deactivated_at.is_(None),
        )
    )
    for unit_id, pid in rows.all():
        heads.setdefault(int(unit_id), set()).add(int(pid))
    found: set[int] = set()
    for unit_id, _, _ in mine:
        for uid in reversed(chains[unit_id]):
            others = heads.get(uid, set()) - {person_id}
            if others:
                found |= others
                break
    return sorted(found)


async def heads_above(db: AsyncSession, person_id: int) -> set[int]:
    """Every head of a unit one works in or above it: whom one may always report to (a
    department's staff do not otherwise see the company's head)."""
    ids = {x for _, p, _ in await working_units(db, person_id) for x in chain(p)}
    if not ids:
        return set()
    rows = await db.execute(
        select(Membership.person_id).where(
            Membership.unit_id.in_(ids), Membership.role == Role.head.value
        )
    )
    return {int(p) for p in rows.scalars()}
