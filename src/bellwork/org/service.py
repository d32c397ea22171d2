"""The rules of the organisation tree and the people in it. Never commits; never imports FastAPI."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, delete, exists, func, literal, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit.service import record
from bellwork.auth.passwords import generate_temporary_password, hash_password
from bellwork.auth.service import Actor, check_password_strength, end_all_sessions
from bellwork.core.errors import Conflict, Forbidden, Invalid, NotFound
from bellwork.core.schemas import Page, decode_cursor, encode_cursor
from bellwork.db.base import utcnow
from bellwork.org import access
from bellwork.org.access import Scope
from bellwork.org.hooks import roster_changed
from bellwork.org.models import GuardianLink, Membership, Person, PersonSearchKey, Role, Unit
from bellwork.org.schemas import (
    LinkedPerson,
    MembershipBrief,
    MembershipIn,
    MembershipOut,
    PersonBrief,
    PersonCreate,
    PersonDetail,
    PersonUpdate,
    UnitCreate,
    UnitOut,
    UnitRef,
    UnitUpdate,
)
from bellwork.org.search import normalise_query, prefix_end, search_keys

UNIQUE_FIELDS = ("username", "phone", "email", "student_number")
# A prefix with at least this many search keys is "common": see search_people.
COMMON_PREFIX = 20_000


# ---------------------------------------------------------------- units


def unit_snapshot(unit: Unit) -> dict[str, Any]:
    return {
        "name": unit.name,
        "kind": unit.kind,
        "parent_id": unit.parent_id,
        "path": unit.path,
        "archived": unit.archived_at is not None,
    }


def subtree_clause(path: str) -> Any:
    return and_(Unit.path >= path, Unit.path < prefix_end(path))


async def units_out(db: AsyncSession, scope: Scope, units: Sequence[Unit]) -> list[UnitOut]:
    if not units:
        return []
    ids = [u.id for u in units]
    child_counts = dict(
        (
            await db.execute(
                select(Unit.parent_id, func.count())
                .where(Unit.parent_id.in_(ids), Unit.archived_at.is_(None))
                .group_by(Unit.parent_id)
            )
        ).all()
    )
    member_counts = dict(
        (
            await db.execute(
                select(Membership.unit_id, func.count(func.distinct(Membership.person_id)))
                .join(Person, Person.id == Membership.person_id)
                .where(Membership.unit_id.in_(ids), Person.deactivated_at.is_(None))
                .group_by(Membership.unit_id)
            )
        ).all()
    )
    return [
        UnitOut(
            id=u.id,
            parent_id=u.parent_id,
            kind=u.kind,
            name=u.name,
            path=u.path,
            depth=u.depth,
            archived=u.archived_at is not None,
            child_count=child_counts.get(u.id, 0),
            member_count=member_counts.get(u.id, 0),
            can_manage=scope.manages_path(u.path),
        )
        for u in units
    ]


async def path_names(db: AsyncSession, paths: Iterable[str]) -> dict[str, list[str]]:
    """Maps each materialised path to the names along it, root first, in one query."""
    paths = list(set(paths))
    ids: set[int] = set()
    for p in paths:
        ids.update(int(x) for x in p.strip("/").split("/") if x)
    names: dict[int, str] = {}
    if ids:
        names = dict((await db.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)))).all())
    return {p: [names.get(int(x), "?") for x in p.strip("/").split("/") if x] for p in paths}


async def list_roots(db: AsyncSession, scope: Scope, include_archived: bool = False) -> list[Unit]:
    """The top-level units: all of them for admins; for others, the tops of their own units
    (a guardian at a school does not see the company that shares the installation)."""
    stmt = select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.name, Unit.id)
    if not scope.admin:
        paths = await db.execute(
            select(Unit.path)
            .join(Membership, Membership.unit_id == Unit.id)
            .where(Membership.person_id == scope.person_id)
        )
        tops = {int(p.strip("/").split("/")[0]) for p in paths.scalars()}
        stmt = stmt.where(Unit.id.in_(tops))
    if not include_archived:
        stmt = stmt.where(Unit.archived_at.is_(None))
    return list((await db.execute(stmt)).scalars())


async def list_children(db: AsyncSession, unit: Unit, include_archived: bool) -> list[Unit]:
    stmt = select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.name, Unit.id)
    if not include_archived:
        stmt = stmt.where(Unit.archived_at.is_(None))
    return list((await db.execute(stmt)).scalars())


async def list_subtree(db: AsyncSession, unit: Unit, include_archived: bool) -> list[Unit]:
    stmt = select(Unit).where(subtree_clause(unit.path)).order_by(Unit.depth, Unit.name, Unit.id)
    if not include_archived:
        stmt = stmt.where(Unit.archived_at.is_(None))
    return list((await db.execute(stmt.limit(20000))).scalars())


async def list_ancestors(db: AsyncSession, unit: Unit) -> list[Unit]:
    ids = [int(x) for x in unit.path.strip("/").split("/") if x]
    rows = {u.id: u for u in (await db.execute(select(Unit).where(Unit.id.in_(ids)))).scalars()}
    return [rows[i] for i in ids if i in rows]


async def create_unit(db: AsyncSession, actor: Actor, scope: Scope, data: UnitCreate) -> Unit:
    parent: Unit | None = None
    if data.parent_id is None:
        if not scope.admin:
            raise Forbidden("root_needs_admin")
    else:
        parent = await access.access_unit(db, data.parent_id)
        access.require_manage_unit(scope, parent)
        if parent.archived_at is not None:
            raise Invalid("parent_archived", errors=[{"field": "parent_id"}])
    unit = Unit(
        parent_id=data.parent_id,
        kind=data.kind.value,
        name=data.name,
        path="/pending/",
        depth=(parent.depth + 1) if parent else 0,
    )
    db.add(unit)
    await db.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    await db.flush()
    await record(db, actor.id, "unit.create", "unit", unit.id, None, unit_snapshot(unit))
    return unit


async def update_unit(
    db: AsyncSession, actor: Actor, scope: Scope, unit: Unit, data: UnitUpdate
) -> Unit:
    access.require_manage_unit(scope, unit)
    before = unit_snapshot(unit)
    if data.name is not None:
        unit.name = data.name
    if data.kind is not None:
        unit.kind = data.kind.value
    if unit_snapshot(unit) != before:
        await record(db, actor.id, "unit.update", "unit", unit.id, before, unit_snapshot(unit))
    return unit


async def move_unit(
    db: AsyncSession, actor: Actor, scope: Scope, unit: Unit, new_parent_id: int | None
) -> Unit:
    """Re-parents a unit; every path in its subtree is rewritten in this one transaction."""
    if unit.parent_id is None:
        if not scope.admin:
            raise Forbidden("root_needs_admin")
    else:
        old_parent = await access.access_unit(db, unit.parent_id)
        access.require_manage_unit(scope, old_parent)
    new_parent: Unit | None = None
    if new_parent_id is None:
        if not scope.admin:
            raise Forbidden("root_needs_admin")
    else:
        new_parent = await access.access_unit(db, new_parent_id)
        access.require_manage_unit(scope, new_parent)
        if new_parent.path.startswith(unit.path):
            raise Invalid("move_into_own_subtree", errors=[{"field": "parent_id"}])
        if new_parent.archived_at is not None:
            raise Invalid("parent_archived", errors=[{"field": "parent_id"}])
    if unit.parent_id == new_parent_id:
        return unit
    before = unit_snapshot(unit)
    old_path = unit.path
    new_path = f"{new_parent.path if new_parent else '/'}{unit.id}/"
    delta = ((new_parent.depth + 1) if new_parent else 0) - unit.depth
    await db.execute(
        update(Unit)
        .where(subtree_clause(old_path))
        .values(
            path=literal(new_path) + func.substr(Unit.path, len(old_path) + 1),
            depth=Unit.depth + delta,
        )
        .execution_options(synchronize_session=False)
    )
    await db.execute(
        update(Unit)
        .where(Unit.id == unit.id)
        .values(parent_id=new_parent_id)
        .execution_options(synchronize_session=False)
    )
    await db.refresh(unit)
    # Other Unit objects already loaded in this session may hold stale paths.
    for obj in list(db.identity_map.values()):
        if isinstance(obj, Unit) and obj is not unit:
            await db.refresh(obj)
    await record(db, actor.id, "unit.move", "unit", unit.id, before, unit_snapshot(unit))
    return unit


async def archive_unit(db: AsyncSession, actor: Actor, scope: Scope, unit: Unit) -> Unit:
    """Archives the unit and everything under it; memberships and history stay."""
    access.require_manage_unit(scope, unit)
    if unit.archived_at is not None:
        return unit
    now = utcnow()
    await db.execute(
        update(Unit)
        .where(subtree_clause(unit.path), Unit.archived_at.is_(None))
        .values(archived_at=now)
        .execution_options(synchronize_session=False)
    )
    await db.refresh(unit)
    await record(
        db, actor.id, "unit.archive", "unit", unit.id, {"archived": False}, {"archived": True}
    )
    return unit


async def restore_unit(db: AsyncSession, actor: Actor, scope: Scope, unit: Unit) -> Unit:
    """Restores what archiving this unit archived (sub-units archived earlier stay archived)."""
    access.require_manage_unit(scope, unit)
    if unit.archived_at is None:
        return unit
    if unit.parent_id is not None:
        parent = await access.access_unit(db, unit.parent_id)
        if parent.archived_at is not None:
            raise Invalid("parent_archived")
    await db.execute(
        update(Unit)
        .where(subtree_clause(unit.path), Unit.archived_at == unit.archived_at)
        .values(archived_at=None)
        .execution_options(synchronize_session=False)
    )
    await db.refresh(unit)
    await record(
        db, actor.id, "unit.restore", "unit", unit.id, {"archived": True}, {"archived": False}
    )
    return unit


# ---------------------------------------------------------------- people: reading


async def briefs(db: AsyncSession, scope: Scope, people: Sequence[Person]) -> list[PersonBrief]:
    if not people:
        return []
    phones = await access.phone_visibility(db, scope, list(people))
    ids = [p.id for p in people]
    mems: dict[int, list[MembershipBrief]] = {i: [] for i in ids}
    rows = (
        await db.execute(
            select(Membership.person_id, Membership.unit_id, Membership.role, Unit.name, Unit.path)
            .join(Unit, Unit.id == Membership.unit_id)
            .where(Membership.person_id.in_(ids), Unit.archived_at.is_(None))
            .order_by(Membership.id)
        )
    ).all()
    names = await path_names(db, {r[4] for r in rows})
    for pid, uid, role, uname, path in rows:
        mems[pid].append(
            MembershipBrief(unit_id=uid, unit_name=uname, unit_path_names=names[path], role=role)
        )
    return [
        PersonBrief(
            id=p.id,
            name=p.name,
            phone=p.phone if phones[p.id] else None,
            phone_hidden=bool(p.phone) and not phones[p.id],
            student_number=p.student_number,
            title=p.title,
            active=p.active,
            is_admin=p.is_admin,
            memberships=mems[p.id][:8],
        )
        for p in people
    ]


async def search_people(
    db: AsyncSession,
    scope: Scope,
    q: str | None,
    unit_id: int | None,
    subtree: bool,
    include_inactive: bool,
    cursor: str | None,
    limit: int,
) -> Page[PersonBrief]:
    """The directory: people visible to `scope`, optionally matching q and within a unit."""
    small_scope = not scope.admin and (
        not scope.head_paths or await access.subtree_size(db, scope, COMMON_PREFIX) < COMMON_PREFIX
    )
    visible = access.visible_ids(scope) if small_scope else None
    if visible is not None:
        # Few people to see: start from them.
        stmt = select(Person).where(Person.id.in_(visible))
    else:
        stmt = select(Person).where(access.visible_people_clause(scope))
    if not include_inactive:
        stmt = stmt.where(Person.deactivated_at.is_(None))
    query = normalise_query(q or "")
    # Three shapes of query, so each stays an index walk over few rows (bench/search_100k.py):
    # - a small scope (no admin; heads only of units with fewer than COMMON_PREFIX memberships):
    #   sort the visible people, probing each one's keys;
    # - a big scope and a rarer prefix ("zhangwei", "张"): start from the matching people;
    # - a big scope and a very common prefix (a single letter, which given names spread over
    #   the whole directory): walk the directory in name order and probe each person's keys,
    #   stopping at the page size.
    sort_matches = small_scope
    if query:
        key_range = and_(PersonSearchKey.key >= query, PersonSearchKey.key < prefix_end(query))
        common = False
        if not small_scope:
            sample = select(PersonSearchKey.id).where(key_range).limit(COMMON_PREFIX).subquery()
            found = (await db.execute(select(func.count()).select_from(sample))).scalar_one()
            common = found >= COMMON_PREFIX
        if small_scope or common:
            probe = select(PersonSearchKey.id).where(
                PersonSearchKey.person_id == Person.id, key_range
            )
            stmt = stmt.where(exists(probe))
        else:
            matches = (
                select(PersonSearchKey.person_id)
                .where(key_range)
                .distinct()
                .cte("matches")
                .prefix_with("MATERIALIZED")
            )
            stmt = stmt.join(matches, matches.c.person_id == Person.id)
            sort_matches = True
    if unit_id is not None:
        unit = await access.access_unit(db, unit_id)
        in_unit = select(Membership.person_id)
        if subtree:
            in_unit = in_unit.join(Unit, Unit.id == Membership.unit_id).where(
                subtree_clause(unit.path)
            )
        else:
            in_unit = in_unit.where(Membership.unit_id == unit.id)
        stmt = stmt.where(Person.id.in_(in_unit))
    after = decode_cursor(cursor, str, int)
    if after is not None:
        stmt = stmt.where(
            tuple_(Person.sort_key, Person.id) > tuple_(literal(after[0]), literal(after[1]))
        )
    if sort_matches:
        # Sort the few candidates; the expression keeps the planner from walking the whole
        # directory through the sort_key index instead.
        stmt = stmt.order_by(Person.sort_key.concat(""), Person.id)
    else:
        stmt = stmt.order_by(Person.sort_key, Person.id)
    people = list((await db.execute(stmt.limit(limit + 1))).scalars())
    next_cursor = None
    if len(people) > limit:
        people = people[:limit]
        next_cursor = encode_cursor([people[-1].sort_key, people[-1].id])
    return Page[PersonBrief](items=await briefs(db, scope, people), next_cursor=next_cursor)


async def person_detail(db: AsyncSession, scope: Scope, person: Person) -> PersonDetail:
    phones = await access.phone_visibility(db, scope, [person])
    rows = (
        await db.execute(
            select(Membership, Unit)
            .join(Unit, Unit.id == Membership.unit_id)
            .where(Membership.person_id == person.id)
            .order_by(Membership.id)
        )
    ).all()
    names = await path_names(db, [u.path for _, u in rows])
    memberships = [
        MembershipOut(
            id=m.id,
            unit=UnitRef(id=u.id, name=u.name, kind=u.kind, path_names=names[u.path]),
            role=m.role,
            title=m.title,
        )
        for m, u in rows
        if u.archived_at is None
    ]
    guardians = await _linked(db, scope, GuardianLink.student_id == person.id, "guardian_id")
    children = await _linked(db, scope, GuardianLink.guardian_id == person.id, "student_id")
    return PersonDetail(
        id=person.id,
        name=person.name,
        username=person.username,
        phone=person.phone if phones[person.id] else None,
        phone_hidden=bool(person.phone) and not phones[person.id],
        email=person.email,
        student_number=person.student_number,
        title=person.title,
        active=person.active,
        is_admin=person.is_admin,
        has_password=person.password_hash is not None,
        must_change_password=person.must_change_password,
        created_at=person.created_at,
        memberships=memberships,
        guardians=guardians,
        children=children,
        can_manage=await access.can_manage_person(db, scope, person),
    )


async def _linked(db: AsyncSession, scope: Scope, cond: Any, other_col: str) -> list[LinkedPerson]:
    col = getattr(GuardianLink, other_col)
    rows = (
        await db.execute(
            select(Person, GuardianLink.relation)
            .join(GuardianLink, col == Person.id)
            .where(cond, access.visible_people_clause(scope))
            .order_by(GuardianLink.id)
        )
    ).all()
    phones = await access.phone_visibility(db, scope, [p for p, _ in rows])
    return [
        LinkedPerson(
            id=p.id,
            name=p.name,
            relation=rel,
            phone=p.phone if phones[p.id] else None,
            phone_hidden=bool(p.phone) and not phones[p.id],
        )
        for p, rel in rows
    ]


# ---------------------------------------------------------------- people: writing


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
    db.add_all(PersonSearchKey(person_id=person.id, key=k) for k in sorted(keys))


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


async def _check_membership_targets(
    db: AsyncSession, scope: Scope, memberships: Sequence[MembershipIn]
) -> dict[int, Unit]:
    units: dict[int, Unit] = {}
    for m in memberships:
        unit = await access.access_unit(db, m.unit_id)
        access.require_manage_unit(scope, unit)
        if unit.archived_at is not None:
            raise Invalid("unit_archived", errors=[{"field": "memberships"}])
        units[unit.id] = unit
    return units


async def create_person(db: AsyncSession, actor: Actor, scope: Scope, data: PersonCreate) -> Person:
    if not scope.admin:
        if data.is_admin:
            raise Forbidden("admin_only")
        if not data.memberships:
            # A person outside every unit could be managed by nobody but admins.
            raise Forbidden("not_head_of_unit")
    if any(m.role == Role.guardian for m in data.memberships):
        raise Invalid("guardian_needs_student", errors=[{"field": "memberships"}])
    await _check_membership_targets(db, scope, data.memberships)
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
    for m in data.memberships:
        if (m.unit_id, m.role.value) in seen:
            continue
        seen.add((m.unit_id, m.role.value))
        db.add(Membership(person_id=person.id, unit_id=m.unit_id, role=m.role.value, title=m.title))
    await refresh_search_keys(db, person)
    await roster_changed(db, {m.unit_id for m in data.memberships})
    await record(db, actor.id, "person.create", "person", person.id, None, person_snapshot(person))
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
        # A deactivated person is logged out everywhere at once, live sockets included.
        await end_all_sessions(db, person.id, tokens_too=True)
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
    # Until the new password is set nothing of theirs works, live sockets included.
    await end_all_sessions(db, person.id, tokens_too=True)
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


async def add_membership(
    db: AsyncSession, actor: Actor, scope: Scope, person: Person, data: MembershipIn
) -> Membership:
    if data.role == Role.guardian:
        raise Invalid("guardian_needs_student", errors=[{"field": "role"}])
    if person.is_admin and not scope.admin:
        raise Forbidden("admin_only")
    await _check_membership_targets(db, scope, [data])
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
