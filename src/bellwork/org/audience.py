"""Whom a message, a DING, a notice or a form reaches: people picked by name and units × roles
("the guardians of class 3-2": the class and ["guardian"]; a unit means its members and those of
the units below it), resolved against what the sender may see (docs/permissions.md).

Every domain that addresses an audience calls `resolve`; each names its own problems with a
`prefix` (`ding_audience_empty`, `notice_audience_empty`, `form_audience_empty`...)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.core.errors import Forbidden, Invalid
from bellwork.org.access import Scope, access_unit, visible_people_clause
from bellwork.org.models import Membership, Person, Unit
from bellwork.org.units import subtree_clause

BATCH = 500


class UnitPick(Protocol):
    """The members of a unit and of the units below it who hold one of `roles`."""

    @property
    def unit_id(self) -> int: ...

    @property
    def roles(self) -> Sequence[str]: ...


async def visible(db: AsyncSession, scope: Scope, ids: Sequence[int]) -> set[int]:
    """Those of `ids` who are active and whom `scope` may see."""
    found: set[int] = set()
    for i in range(0, len(ids), BATCH):
        rows = await db.execute(
            select(Person.id).where(
                Person.id.in_(ids[i : i + BATCH]),
                Person.deactivated_at.is_(None),
                visible_people_clause(scope),
            )
        )
        found.update(rows.scalars())
    return found


async def resolve(
    db: AsyncSession,
    scope: Scope,
    *,
    people: Sequence[int] = (),
    units: Sequence[UnitPick] = (),
    extra: Sequence[tuple[int, int | None]] = (),
    prefix: str,
    limit: int,
    include_self: bool = False,
) -> list[tuple[int, int | None]]:
    """(person, unit reached in) for everyone the audience reaches, in the order chosen, each
    once; the sender left out unless `include_self`. People picked by name must all be
    reachable (403 `<prefix>_people_unreachable` otherwise); a unit gives its active members
    with the roles asked whom the sender may see, each with the unit they are a member of (their
    class when the school was chosen); `extra` are people a domain found its own way (the
    unread of a message), already checked, with their units; people picked by name have no
    unit. Nobody at all: 422
    `<prefix>_audience_empty`; more than `limit`: 422 `<prefix>_too_many`."""
    out: dict[int, int | None] = {}
    picked = list(dict.fromkeys(people))
    if picked:
        seen = await visible(db, scope, picked)
        missing = [p for p in picked if p not in seen]
        if missing:
            raise Forbidden(f"{prefix}_people_unreachable", count=len(missing))
    for chosen in units:
        unit = await access_unit(db, chosen.unit_id)
        rows = await db.execute(
            select(Membership.person_id, Membership.unit_id)
            .join(Unit, Unit.id == Membership.unit_id)
            .join(Person, Person.id == Membership.person_id)
            .where(
                subtree_clause(unit.path),
                Unit.archived_at.is_(None),
                Membership.role.in_(list(chosen.roles)),
                Person.deactivated_at.is_(None),
            )
            .order_by(Unit.path, Person.sort_key, Person.id)
        )
        members: dict[int, int] = {}
        for pid, uid in rows:
            members.setdefault(pid, uid)
        if not scope.manages_path(unit.path):
            seen = await visible(db, scope, list(members))
            members = {p: u for p, u in members.items() if p in seen}
        for pid, uid in members.items():
            out.setdefault(pid, uid)
    for pid, reached_in in extra:
        out.setdefault(pid, reached_in)
    for pid in picked:
        out.setdefault(pid, None)
    if not include_self:
        out.pop(scope.person_id, None)
    if not out:
        raise Invalid(f"{prefix}_audience_empty")
    if len(out) > limit:
        raise Invalid(f"{prefix}_too_many", limit=limit)
    return list(out.items())
