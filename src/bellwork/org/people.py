"""People: creating them (with their first memberships), changing their details, deactivating
and reactivating, resetting a password. Every change is audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit.service import record
from bellwork.auth.passwords import generate_temporary_password, hash_password
from bellwork.auth.service import Actor, check_password_strength, end_all_sessions
from bellwork.core.errors import Conflict, Forbidden, Invalid
from bellwork.db.base import utcnow
from bellwork.org import access
from bellwork.org.access import Scope
from bellwork.org.hooks import roster_changed
from bellwork.org.models import Membership, Person, PersonSearchKey, Role
from bellwork.org.roster import check_membership_targets
from bellwork.org.schemas import PersonCreate, PersonUpdate
from bellwork.org.search import search_keys
from bellwork.push.service import forget_devices

UNIQUE_FIELDS = ("username", "phone", "email", "student_number")


def person_snapshot(p: Person) -> dict[str, Any]:
    return {
        "name": p.name,
        "username": p.username,
        "phone": p.phone,
        "email": p.email,
        "student_number": p.student_number,
        "title": p.title,
        "is_admin": p.is_admin,
        "active": p.active,
    }


async def refresh_search_keys(db: AsyncSession, person: Person) -> None:
    await db.execute(delete(PersonSearchKey).where(PersonSearchKey.person_id == person.id))
    keys = search_keys(
        person.name, person.phone, person.student_number, person.username, person.email
    )
    db.add_all(PersonSearchKey(person_id=person.id, key=k, rank=keys[k]) for k in sorted(keys))


async def _check_unique(db: AsyncSession, values: dict[str, Any], exclude_id: int | None) -> None:
    errors = []
    for field in UNIQUE_FIELDS:
        value = values.get(field)
        if value is None:
            continue
        stmt = select(Person.id).where(getattr(Person, field) == value)
        if exclude_id is not None:
            stmt = stmt.where(Person.id != exclude_id)
        if (await db.execute(stmt)).first() is not None:
            errors.append({"field": field, "code": "duplicate_value"})
    if errors:
        raise Conflict("duplicate_value", errors=errors, field=errors[0]["field"])


async def create_person(db: AsyncSession, actor: Actor, scope: Scope, data: PersonCreate) -> Person:
    if not scope.admin:
        if data.is_admin:
            raise Forbidden("admin_only")
        if not data.memberships:
            # A person outside every unit could be managed by nobody but admins.
            raise Forbidden("not_head_of_unit")
    if any(m.role == Role.guardian for m in data.memberships):
        raise Invalid("guardian_needs_student", errors=[{"field": "memberships"}])
    await check_membership_targets(db, scope, data.memberships)
    values = data.model_dump(exclude={"memberships", "password"})
    await _check_unique(db, values, None)
    person = Person(**values)
    if data.password:
        check_password_strength(data.password)
        person.password_hash = await hash_password(data.password)
        person.must_change_password = True
    db.add(person)
    await db.flush()
    seen: set[tuple[int, str]] = set()
    added: list[dict[str, Any]] = []
    for m in data.memberships:
        if (m.unit_id, m.role.value) in seen:
            continue
        seen.add((m.unit_id, m.role.value))
        db.add(Membership(person_id=person.id, unit_id=m.unit_id, role=m.role.value, title=m.title))
        added.append({"unit_id": m.unit_id, "role": m.role.value, "title": m.title})
    await refresh_search_keys(db, person)
    await roster_changed(db, {m.unit_id for m in data.memberships})
    after = person_snapshot(person) | ({"memberships": added} if added else {})
    first_unit = added[0]["unit_id"] if added else None
    await record(
        db, actor.id, "person.create", "person", person.id, None, after, unit_id=first_unit
    )
    return person


async def update_person(
    db: AsyncSession, actor: Actor, scope: Scope, person: Person, data: PersonUpdate
) -> Person:
    await access.require_manage_person(db, scope, person)
    changes = {k: getattr(data, k) for k in data.model_fields_set}
    if "name" in changes and changes["name"] is None:
        del changes["name"]
    if "is_admin" in changes:
        if changes["is_admin"] is None:
            del changes["is_admin"]
        elif not scope.admin:
            raise Forbidden("admin_only")
        elif person.id == actor.id and not changes["is_admin"]:
            raise Forbidden("cannot_deactivate_self")
    await _check_unique(db, changes, person.id)
    before = person_snapshot(person)
    for k, v in changes.items():
        setattr(person, k, v)
    after = person_snapshot(person)
    if after != before:
        await refresh_search_keys(db, person)
        diff_b = {k: v for k, v in before.items() if after[k] != v}
        diff_a = {k: after[k] for k in diff_b}
        await record(db, actor.id, "person.update", "person", person.id, diff_b, diff_a)
    return person


async def set_active(
    db: AsyncSession, actor: Actor, scope: Scope, person: Person, active: bool
) -> Person:
    await access.require_manage_person(db, scope, person)
    if person.id == actor.id and not active:
        raise Forbidden("cannot_deactivate_self")
    if person.active == active:
        return person
    person.deactivated_at = None if active else utcnow()
    if not active:
        # A deactivated person is logged out everywhere at once, live sockets included, and
        # their devices receive no more pushes.
        await end_all_sessions(db, person.id, tokens_too=True)
        await forget_devices(db, person.id)
    units = await db.execute(select(Membership.unit_id).where(Membership.person_id == person.id))
    await roster_changed(db, set(units.scalars()))
    await record(
        db,
        actor.id,
        "person.reactivate" if active else "person.deactivate",
        "person",
        person.id,
        {"active": not active},
        {"active": active},
    )
    return person


async def reset_password(db: AsyncSession, actor: Actor, scope: Scope, person: Person) -> str:
    await access.require_manage_person(db, scope, person)
    temporary = generate_temporary_password()
    person.password_hash = await hash_password(temporary)
    person.must_change_password = True
    # Until the new password is set nothing of theirs works, live sockets and pushes included.
    await end_all_sessions(db, person.id, tokens_too=True)
    await forget_devices(db, person.id)
    await record(
        db,
        actor.id,
        "person.password_reset",
        "person",
        person.id,
        None,
        {"must_change_password": True},
    )
    return temporary
