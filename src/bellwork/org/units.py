"""The organisation tree: units (a school, its grades and classes; a company's departments),
each with a materialised `path` ("/1/7/12/"), so "everything under X" is one range
(`subtree_clause`), never a walk in Python. Creating, renaming, moving, archiving, restoring."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit.service import record
from bellwork.auth.service import Actor
from bellwork.core.errors import Forbidden, Invalid
from bellwork.db.base import utcnow
from bellwork.org import access
from bellwork.org.access import Scope
from bellwork.org.hooks import roster_changed
from bellwork.org.models import Membership, Person, Unit
from bellwork.org.schemas import UnitCreate, UnitOut, UnitUpdate
from bellwork.org.search import prefix_end
from bellwork.org.settings import chain


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
        ids.update(chain(p))
    names: dict[int, str] = {}
    if ids:
        names = dict((await db.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)))).all())
    return {p: [names.get(x, "?") for x in chain(p)] for p in paths}


async def unit_labels(db: AsyncSession, unit_ids: Iterable[int]) -> dict[int, str]:
    """Each unit with its parent ("一年级 / 1班"), as lists of people by unit name them (a
    DING's, a notice's, a form's): two schools' 1班 stay apart. Two queries."""
    ids = set(unit_ids)
    if not ids:
        return {}
    paths = dict((await db.execute(select(Unit.id, Unit.path).where(Unit.id.in_(ids)))).all())
    along = await path_names(db, paths.values())
    return {uid: " / ".join(along[path][-2:]) for uid, path in paths.items()}


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
    ids = chain(unit.path)
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
    if unit.name != before["name"]:
        # Its group is named after it, and a class's group after its grade too.
        children = await db.execute(select(Unit.id).where(Unit.parent_id == unit.id))
        await roster_changed(db, {unit.id, *children.scalars()})
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
