"""The directory: finding people (search by name, pinyin, phone, number) and what one may see
of them — phones hidden where the scope says so, memberships, guardians and children."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Exists,
    ScalarSelect,
    Select,
    and_,
    exists,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.core.schemas import Page, decode_cursor, encode_cursor
from bellwork.org import access, photos
from bellwork.org.access import Scope
from bellwork.org.models import GuardianLink, Membership, Person, PersonSearchKey, Unit
from bellwork.org.schemas import (
    LinkedPerson,
    MembershipBrief,
    MembershipOut,
    PersonBrief,
    PersonDetail,
    UnitRef,
)
from bellwork.org.search import COMMON, IDENTIFIER, normalise_query, prefix_end
from bellwork.org.units import path_names, subtree_clause

# A prefix with at least this many search keys is "common": see search_people.
COMMON_PREFIX = 20_000


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
            photo_url=photos.url_of(p.id, p.photo_key),
        )
        for p in people
    ]


def key_range(query: str) -> ColumnElement[bool]:
    """Search keys starting with `query` (a normalised query): an index range."""
    return and_(PersonSearchKey.key >= query, PersonSearchKey.key < prefix_end(query))


def key_match(
    person_id: Any, query: str, *, rank: int | None = None, names_only: bool = False
) -> Exists:
    """Whether a key of `person_id` starts with `query` — of that `rank` only, or leaving out
    identifiers (phone, number, username, email) for `names_only`."""
    probe = select(PersonSearchKey.id).where(
        PersonSearchKey.person_id == person_id, key_range(query)
    )
    if rank is not None:
        probe = probe.where(PersonSearchKey.rank == rank)
    if names_only:
        probe = probe.where(PersonSearchKey.rank != IDENTIFIER)
    return exists(probe)


def match_rank(person_id: Any, query: str, *, names_only: bool = False) -> ScalarSelect[Any]:
    """The best (lowest) rank of `person_id`'s keys starting with `query`; NULL when none."""
    best = select(func.min(PersonSearchKey.rank)).where(
        PersonSearchKey.person_id == person_id, key_range(query)
    )
    if names_only:
        best = best.where(PersonSearchKey.rank != IDENTIFIER)
    return best.scalar_subquery()


def _matches(query: str, above: int | None = None) -> Any:
    """The people with a key starting with `query` and their best rank, as a materialised CTE
    (`above`: only those whose best rank is worse than that)."""
    best = func.min(PersonSearchKey.rank)
    found = (
        select(PersonSearchKey.person_id, best.label("rank"))
        .where(key_range(query))
        .group_by(PersonSearchKey.person_id)
    )
    if above is not None:
        found = found.having(best > above)
    return found.cte("matches").prefix_with("MATERIALIZED")


async def _ranked(
    db: AsyncSession, stmt: Select[Any], rank: Any, after: list[Any] | None, limit: int
) -> list[tuple[int, Person]]:
    """`stmt`'s people with their rank, by (rank, pinyin order, id), after the cursor. The
    sort expression keeps the planner from walking the whole directory through the sort_key
    index for a few candidates."""
    if after is not None:
        stmt = stmt.where(
            tuple_(rank, Person.sort_key, Person.id)
            > tuple_(literal(after[0]), literal(after[1]), literal(after[2]))
        )
    shown = rank.label("rank")
    stmt = stmt.add_columns(shown).order_by(shown, Person.sort_key.concat(""), Person.id)
    return [(r, p) for p, r in (await db.execute(stmt.limit(limit))).all()]


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
    """The directory: people visible to `scope`, optionally matching q and within a unit.

    Without q, in pinyin order. With q, the best match first (org/search.py's ranks: the name
    or its common reading, then an identifier, then a rare reading of a polyphonic character),
    in pinyin order within a rank; the cursor carries the rank."""
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
    query = normalise_query(q or "")
    if not query:
        return await _browse(db, scope, stmt, small_scope, cursor, limit)
    # Three shapes of query, so each stays an index walk over few rows (bench/search_100k.py):
    # - a small scope (no admin; heads only of units with fewer than COMMON_PREFIX memberships):
    #   rank the visible people, probing each one's keys;
    # - a big scope and a rarer prefix ("zhangwei", "张"): start from the matching people;
    # - a big scope and a very common prefix (a single letter, which given names spread over
    #   the whole directory): walk the directory in name order and probe each person's keys
    #   for a common match, stopping at the page size; only past the last of those (deep
    #   pages) start from the people who match otherwise.
    after = decode_cursor(cursor, int, str, int)
    rows: list[tuple[int, Person]]
    if small_scope:
        rank = match_rank(Person.id, query)
        rows = await _ranked(db, stmt.where(key_match(Person.id, query)), rank, after, limit + 1)
    else:
        sample = select(PersonSearchKey.id).where(key_range(query)).limit(COMMON_PREFIX)
        found = (await db.execute(select(func.count()).select_from(sample.subquery()))).scalar()
        if (found or 0) < COMMON_PREFIX:
            m = _matches(query)
            joined = stmt.join(m, m.c.person_id == Person.id)
            rows = await _ranked(db, joined, m.c.rank, after, limit + 1)
        else:
            rows = []
            if after is None or after[0] == COMMON:
                walk = stmt.where(key_match(Person.id, query, rank=COMMON))
                if after is not None:
                    walk = walk.where(
                        tuple_(Person.sort_key, Person.id)
                        > tuple_(literal(after[1]), literal(after[2]))
                    )
                walk = walk.order_by(Person.sort_key, Person.id).limit(limit + 1)
                rows = [(COMMON, p) for p in (await db.execute(walk)).scalars()]
                after = None
            if len(rows) <= limit:
                m = _matches(query, above=COMMON)
                joined = stmt.join(m, m.c.person_id == Person.id)
                rows += await _ranked(db, joined, m.c.rank, after, limit + 1 - len(rows))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last_rank, last = rows[-1]
        next_cursor = encode_cursor([last_rank, last.sort_key, last.id])
    people = [p for _, p in rows]
    return Page[PersonBrief](items=await briefs(db, scope, people), next_cursor=next_cursor)


async def _browse(
    db: AsyncSession,
    scope: Scope,
    stmt: Select[Any],
    small_scope: bool,
    cursor: str | None,
    limit: int,
) -> Page[PersonBrief]:
    """Everyone `stmt` selects, in pinyin order (the directory without a query)."""
    after = decode_cursor(cursor, str, int)
    if after is not None:
        stmt = stmt.where(
            tuple_(Person.sort_key, Person.id) > tuple_(literal(after[0]), literal(after[1]))
        )
    if small_scope:
        # Sort the few visible people (see _ranked).
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
        photo_url=photos.url_of(person.id, person.photo_key),
        can_manage=await access.can_manage_person(db, scope, person),
        can_message=access.message_refusal(scope, person) is None,
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
