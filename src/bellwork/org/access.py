"""Who may see and manage what in the organisation.

The policy, each rule tested in tests/org/test_access_matrix.py:
- Installation admins see and manage everything.
- A head of a unit sees and manages that unit's whole subtree (units, people, memberships).
- A teacher of a unit sees everyone in that unit: students, their guardians, other staff.
- Members (staff, member, student, teacher, head) see the non-guardian members of their own units.
- A guardian sees the teachers, heads and staff of their child's units, and their own children.
- Everyone sees themselves, their own children (guardian) and their own guardians (student).
- Phone numbers of students and guardians are shown only to themselves, admins, heads above
  them and teachers of their units; other people's phones go to whoever may see the person.
- Only admins manage an admin's account, create top-level units or grant admin rights.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    exists,
    func,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.core.errors import Forbidden, NotFound
from bellwork.org.models import GuardianLink, Membership, Person, Role, Unit
from bellwork.org.search import prefix_end

PROTECTED_ROLES = (Role.student.value, Role.guardian.value)
GUARDIAN_SEES = (Role.teacher.value, Role.head.value, Role.staff.value)


@dataclass
class Scope:
    person_id: int
    admin: bool = False
    head_paths: list[str] = field(default_factory=list)
    teacher_units: set[int] = field(default_factory=set)
    staff_units: set[int] = field(default_factory=set)
    member_units: set[int] = field(default_factory=set)
    guardian_units: set[int] = field(default_factory=set)
    linked: set[int] = field(default_factory=set)

    def manages_path(self, path: str) -> bool:
        return self.admin or any(path.startswith(hp) for hp in self.head_paths)


async def load_scope(db: AsyncSession, actor: Actor) -> Scope:
    scope = Scope(person_id=actor.id, admin=actor.is_admin)
    if scope.admin:
        return scope
    rows = await db.execute(
        select(Membership.unit_id, Membership.role, Unit.path)
        .join(Unit, Unit.id == Membership.unit_id)
        .where(Membership.person_id == actor.id, Unit.archived_at.is_(None))
    )
    heads: list[str] = []
    for unit_id, role, path in rows:
        if role == Role.head:
            heads.append(path)
        if role == Role.teacher:
            scope.teacher_units.add(unit_id)
        if role == Role.staff:
            scope.staff_units.add(unit_id)
        if role == Role.guardian:
            scope.guardian_units.add(unit_id)
        else:
            scope.member_units.add(unit_id)
    # Drop heads nested under another head path: one range per subtree.
    heads.sort()
    for p in heads:
        if not any(p.startswith(h) for h in scope.head_paths):
            scope.head_paths.append(p)
    links = await db.execute(
        select(GuardianLink.guardian_id, GuardianLink.student_id).where(
            or_(GuardianLink.guardian_id == actor.id, GuardianLink.student_id == actor.id)
        )
    )
    for g, s in links:
        scope.linked.add(s if g == actor.id else g)
    return scope


def _under(path_col: Any, paths: Iterable[str]) -> list[ColumnElement[bool]]:
    return [and_(path_col >= p, path_col < prefix_end(p)) for p in paths]


def visible_people_clause(scope: Scope) -> ColumnElement[bool]:
    """A condition on Person that is true for the people `scope` may see."""
    if scope.admin:
        return true()
    via_membership: list[ColumnElement[bool]] = _under(Unit.path, scope.head_paths)
    if scope.teacher_units:
        via_membership.append(Membership.unit_id.in_(scope.teacher_units))
    if scope.member_units:
        via_membership.append(
            and_(
                Membership.unit_id.in_(scope.member_units),
                Membership.role != Role.guardian.value,
            )
        )
    if scope.guardian_units:
        via_membership.append(
            and_(
                Membership.unit_id.in_(scope.guardian_units),
                Membership.role.in_(GUARDIAN_SEES),
            )
        )
    direct = Person.id.in_({scope.person_id, *scope.linked})
    if not via_membership:
        return direct
    needs_unit = bool(scope.head_paths)
    sub = select(Membership.id).where(Membership.person_id == Person.id, or_(*via_membership))
    if needs_unit:
        sub = sub.join(Unit, Unit.id == Membership.unit_id)
    return or_(direct, exists(sub))


async def subtree_size(db: AsyncSession, scope: Scope, cap: int) -> int:
    """How many memberships lie under the units `scope` heads, counted up to `cap`."""
    if not scope.head_paths:
        return 0
    sample = (
        select(Membership.id)
        .join(Unit, Unit.id == Membership.unit_id)
        .where(or_(*_under(Unit.path, scope.head_paths)))
        .limit(cap)
        .subquery()
    )
    return int((await db.execute(select(func.count()).select_from(sample))).scalar_one())


def visible_ids(scope: Scope) -> Select[Any] | CompoundSelect[Any] | None:
    """The ids `scope` may see, as a subquery (None: everyone). For scopes without a head or
    admin role the set is small, so listing queries can start from it."""
    if scope.admin:
        return None
    conds: list[ColumnElement[bool]] = []
    if scope.teacher_units:
        conds.append(Membership.unit_id.in_(scope.teacher_units))
    if scope.member_units:
        conds.append(
            and_(Membership.unit_id.in_(scope.member_units), Membership.role != Role.guardian.value)
        )
    if scope.guardian_units:
        conds.append(
            and_(Membership.unit_id.in_(scope.guardian_units), Membership.role.in_(GUARDIAN_SEES))
        )
    via = select(Membership.person_id)
    if scope.head_paths:
        via = via.join(Unit, Unit.id == Membership.unit_id)
        conds.extend(_under(Unit.path, scope.head_paths))
    direct = select(Person.id).where(Person.id.in_({scope.person_id, *scope.linked}))
    if not conds:
        return direct
    return union(direct, via.where(or_(*conds)))


async def can_see_person(db: AsyncSession, scope: Scope, person_id: int) -> bool:
    stmt = select(Person.id).where(Person.id == person_id, visible_people_clause(scope))
    return (await db.execute(stmt)).first() is not None


async def access_person(db: AsyncSession, scope: Scope, person_id: int) -> Person:
    """The person, or 404 alike for 'missing' and 'not visible to you'."""
    person = await db.get(Person, person_id)
    if person is None or not await can_see_person(db, scope, person_id):
        raise NotFound("person")
    return person


def message_refusal(scope: Scope, person: Person) -> str | None:
    """Why one may not open a direct chat with `person`, a person one can see (the problem
    code), or None if one may: not with oneself (that is "My devices"), not with a deactivated
    account. chat's `open_direct` applies it; a person's card offers 发消息 only where it is
    None (`PersonDetail.can_message`)."""
    if person.id == scope.person_id:
        return "direct_with_self"
    if not person.active:
        return "person_inactive"
    return None


async def access_unit(db: AsyncSession, unit_id: int) -> Unit:
    unit = await db.get(Unit, unit_id)
    if unit is None:
        raise NotFound("unit")
    return unit


def require_manage_unit(scope: Scope, unit: Unit) -> None:
    if not scope.manages_path(unit.path):
        raise Forbidden("not_head_of_unit")


def require_admin(scope: Scope) -> None:
    if not scope.admin:
        raise Forbidden("admin_only")


async def person_unit_paths(db: AsyncSession, person_id: int) -> list[tuple[str, str]]:
    rows = await db.execute(
        select(Unit.path, Membership.role)
        .join(Unit, Unit.id == Membership.unit_id)
        .where(Membership.person_id == person_id)
    )
    return [(p, r) for p, r in rows]


async def can_manage_person(db: AsyncSession, scope: Scope, person: Person) -> bool:
    if scope.admin:
        return True
    if person.is_admin or not scope.head_paths:
        return False
    paths = await person_unit_paths(db, person.id)
    return any(scope.manages_path(p) for p, _ in paths)


async def require_manage_person(db: AsyncSession, scope: Scope, person: Person) -> None:
    if not await can_manage_person(db, scope, person):
        raise Forbidden("admin_only" if person.is_admin else "cannot_manage_person")


async def phone_visibility(db: AsyncSession, scope: Scope, people: list[Person]) -> dict[int, bool]:
    """For people already known to be visible: may `scope` see each one's phone number?"""
    if scope.admin:
        return {p.id: True for p in people}
    ids = [p.id for p in people]
    rows = await db.execute(
        select(Membership.person_id, Membership.unit_id, Membership.role, Unit.path)
        .join(Unit, Unit.id == Membership.unit_id)
        .where(Membership.person_id.in_(ids))
    )
    protected: dict[int, bool] = {i: False for i in ids}
    allowed: dict[int, bool] = {i: False for i in ids}
    for pid, unit_id, role, path in rows:
        if role in PROTECTED_ROLES:
            protected[pid] = True
        if scope.manages_path(path) or unit_id in scope.teacher_units:
            allowed[pid] = True
    out: dict[int, bool] = {}
    for p in people:
        if p.id == scope.person_id:
            out[p.id] = True
        elif p.id in scope.linked:
            out[p.id] = True  # one's own child or guardian
        else:
            out[p.id] = allowed[p.id] or not protected[p.id]
    return out
