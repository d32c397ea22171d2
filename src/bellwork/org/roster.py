"""The roster: who belongs to which unit in which role, and guardians. A guardian is a member
(role guardian) of exactly the units their children study in, kept so by `sync_guardian`.
Every change tells `org.hooks.roster_changed` (chat's unit groups follow it)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit.service import record
from bellwork.auth.service import Actor
from bellwork.core.errors import Conflict, Forbidden, Invalid, NotFound
from bellwork.org import access
from bellwork.org.access import Scope
from bellwork.org.hooks import roster_changed
from bellwork.org.models import GuardianLink, Membership, Person, Role, Unit
from bellwork.org.schemas import MembershipIn


async def check_membership_targets(
    db: AsyncSession, scope: Scope, memberships: Sequence[MembershipIn]
) -> dict[int, Unit]:
    """The units of these memberships, each one the scope may manage and not archived."""
    units: dict[int, Unit] = {}
    for m in memberships:
        unit = await access.access_unit(db, m.unit_id)
        access.require_manage_unit(scope, unit)
        if unit.archived_at is not None:
            raise Invalid("unit_archived", errors=[{"field": "memberships"}])
        units[unit.id] = unit
    return units


async def add_membership(
    db: AsyncSession, actor: Actor, scope: Scope, person: Person, data: MembershipIn
) -> Membership:
    if data.role == Role.guardian:
        raise Invalid("guardian_needs_student", errors=[{"field": "role"}])
    if person.is_admin and not scope.admin:
        raise Forbidden("admin_only")
    await check_membership_targets(db, scope, [data])
    exists_ = await db.execute(
        select(Membership.id).where(
            Membership.person_id == person.id,
            Membership.unit_id == data.unit_id,
            Membership.role == data.role.value,
        )
    )
    if exists_.first() is not None:
        raise Conflict("membership_exists")
    m = Membership(
        person_id=person.id, unit_id=data.unit_id, role=data.role.value, title=data.title
    )
    db.add(m)
    await db.flush()
    if data.role == Role.student:
        await _sync_guardian_memberships(db, person.id)
    await roster_changed(db, {m.unit_id})
    await record(
        db,
        actor.id,
        "membership.create",
        "person",
        person.id,
        None,
        {"unit_id": m.unit_id, "role": m.role, "title": m.title},
        unit_id=m.unit_id,
    )
    return m


async def remove_membership(
    db: AsyncSession, actor: Actor, scope: Scope, membership_id: int
) -> None:
    m = await db.get(Membership, membership_id)
    if m is None:
        raise NotFound("membership")
    unit = await access.access_unit(db, m.unit_id)
    if not await access.can_see_person(db, scope, m.person_id):
        raise NotFound("membership")
    access.require_manage_unit(scope, unit)
    await db.delete(m)
    await db.flush()
    if m.role == Role.student:
        await _sync_guardian_memberships(db, m.person_id)
    await roster_changed(db, {m.unit_id})
    await record(
        db,
        actor.id,
        "membership.delete",
        "person",
        m.person_id,
        {"unit_id": m.unit_id, "role": m.role, "title": m.title},
        None,
        unit_id=m.unit_id,
    )


async def _sync_guardian_memberships(db: AsyncSession, student_id: int) -> None:
    """Guardians are members (role guardian) of exactly the units their children study in."""
    guardian_ids = list(
        (
            await db.execute(
                select(GuardianLink.guardian_id).where(GuardianLink.student_id == student_id)
            )
        ).scalars()
    )
    for gid in guardian_ids:
        await sync_guardian(db, gid)


async def sync_guardian(db: AsyncSession, guardian_id: int) -> None:
    wanted = set(
        (
            await db.execute(
                select(Membership.unit_id)
                .join(GuardianLink, GuardianLink.student_id == Membership.person_id)
                .where(
                    GuardianLink.guardian_id == guardian_id, Membership.role == Role.student.value
                )
            )
        ).scalars()
    )
    have = dict(
        (
            await db.execute(
                select(Membership.unit_id, Membership.id).where(
                    Membership.person_id == guardian_id, Membership.role == Role.guardian.value
                )
            )
        ).all()
    )
    for unit_id in wanted - have.keys():
        db.add(Membership(person_id=guardian_id, unit_id=unit_id, role=Role.guardian.value))
    stale = [have[u] for u in have.keys() - wanted]
    if stale:
        await db.execute(delete(Membership).where(Membership.id.in_(stale)))
    await db.flush()
    await roster_changed(db, wanted ^ set(have))


async def _is_student(db: AsyncSession, person_id: int) -> bool:
    stmt = select(Membership.id).where(
        Membership.person_id == person_id, Membership.role == Role.student.value
    )
    return (await db.execute(stmt)).first() is not None


async def link_guardian(
    db: AsyncSession,
    actor: Actor,
    scope: Scope,
    student: Person,
    guardian: Person,
    relation: str | None,
) -> GuardianLink:
    await access.require_manage_person(db, scope, student)
    if student.id == guardian.id:
        raise Invalid("self_guardian", errors=[{"field": "guardian_id"}])
    if not await _is_student(db, student.id):
        raise Invalid("not_a_student")
    if guardian.is_admin and not scope.admin:
        raise Forbidden("admin_only")
    existing = (
        (
            await db.execute(
                select(GuardianLink).where(
                    GuardianLink.student_id == student.id, GuardianLink.guardian_id == guardian.id
                )
            )
        )
        .scalars()
        .first()
    )
    if existing is not None:
        if existing.relation != relation:
            existing.relation = relation
        return existing
    link = GuardianLink(student_id=student.id, guardian_id=guardian.id, relation=relation)
    db.add(link)
    await db.flush()
    await sync_guardian(db, guardian.id)
    await record(
        db,
        actor.id,
        "guardian.link",
        "person",
        student.id,
        None,
        {"guardian_id": guardian.id, "relation": relation},
    )
    return link


async def unlink_guardian(
    db: AsyncSession, actor: Actor, scope: Scope, student: Person, guardian_id: int
) -> None:
    await access.require_manage_person(db, scope, student)
    link = (
        (
            await db.execute(
                select(GuardianLink).where(
                    GuardianLink.student_id == student.id, GuardianLink.guardian_id == guardian_id
                )
            )
        )
        .scalars()
        .first()
    )
    if link is None:
        raise NotFound("guardian_link")
    await db.delete(link)
    await db.flush()
    await sync_guardian(db, guardian_id)
    await record(
        db,
        actor.id,
        "guardian.unlink",
        "person",
        student.id,
        {"guardian_id": guardian_id, "relation": link.relation},
        None,
    )
