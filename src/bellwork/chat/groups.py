"""Unit groups: each class has a home-school group of its teachers, heads and the guardians of
its students; each other unit (department, team, school...) a group of its direct members. When
the roster changes, the group changes (org.hooks tells us)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat.access import access_conversation, lock_conversation
from bellwork.chat.membership import (
    add_people,
    get_or_create_keyed,
    members_changed,
    remove_people,
)
from bellwork.chat.models import Conversation, ConversationKind, ConversationMember, MemberRole
from bellwork.core.errors import NotFound
from bellwork.org.hooks import on_roster_change
from bellwork.org.models import Membership, Person, Role, Unit, UnitKind

CLASS_ROLES = (Role.teacher.value, Role.head.value, Role.guardian.value)
OTHER_ROLES = (Role.head.value, Role.staff.value, Role.teacher.value, Role.member.value)
ADMIN_ROLES = (Role.teacher.value, Role.head.value)


async def wanted_members(db: AsyncSession, unit: Unit) -> dict[int, str]:
    roles = CLASS_ROLES if unit.kind == UnitKind.klass.value else OTHER_ROLES
    rows = await db.execute(
        select(Membership.person_id, Membership.role)
        .join(Person, Person.id == Membership.person_id)
        .where(
            Membership.unit_id == unit.id,
            Membership.role.in_(roles),
            Person.deactivated_at.is_(None),
        )
    )
    out: dict[int, str] = {}
    for pid, role in rows:
        r = MemberRole.admin.value if role in ADMIN_ROLES else MemberRole.member.value
        if out.get(pid) != MemberRole.admin.value:
            out[pid] = r
    return out


async def group_name(db: AsyncSession, unit: Unit) -> str:
    """A unit group is named after its unit; clients say what kind of group it is in the
    reader's language (a class's: "一年级1班 家校群" / "一年级1班 home–school group"), from
    `unit_kind`. A class is named with its grade: a bare "1班" is ambiguous for a teacher
    of classes in two grades."""
    if unit.kind == UnitKind.klass.value and unit.parent_id is not None:
        parent = await db.get(Unit, unit.parent_id)
        if parent is not None and parent.kind == UnitKind.grade.value:
            return f"{parent.name}{unit.name}"[:200]
    return unit.name


async def unit_conversation(db: AsyncSession, unit_id: int) -> Conversation | None:
    """The unit's group, for another domain to post into (`chat.messages.post_message`); None
    if it has none yet (fewer than two people belong in it) or it was dissolved."""
    conv = (
        await db.execute(select(Conversation).where(Conversation.key == f"u:{unit_id}"))
    ).scalar()
    return conv if conv is not None and conv.dissolved_at is None else None


async def open_unit_group(
    db: AsyncSession, actor: Actor, unit_id: int
) -> tuple[Conversation, ConversationMember]:
    """The unit's group, created on first use; only for those who belong in it."""
    unit = await db.get(Unit, unit_id)
    if unit is None or unit.archived_at is not None:
        raise NotFound("unit")
    wanted = await wanted_members(db, unit)
    if actor.id not in wanted:
        raise NotFound("conversation")
    key = f"u:{unit.id}"
    conv = (await db.execute(select(Conversation).where(Conversation.key == key))).scalar()
    if conv is None:
        conv = await get_or_create_keyed(
            db,
            key,
            Conversation(
                kind=ConversationKind.unit.value, name=await group_name(db, unit), unit_id=unit.id
            ),
            wanted,
        )
    else:
        await sync_group(db, conv, unit)
    return await access_conversation(db, actor.id, conv.id)


async def sync_group(db: AsyncSession, conv: Conversation, unit: Unit) -> None:
    # Membership changes take turns per conversation (see chat.access.access_conversation).
    await lock_conversation(db, conv.id)
    wanted = await wanted_members(db, unit)
    current = dict(
        (
            await db.execute(
                select(ConversationMember.person_id, ConversationMember.role).where(
                    ConversationMember.conversation_id == conv.id,
                    ConversationMember.left_seq.is_(None),
                )
            )
        ).all()
    )
    add = {p: r for p, r in wanted.items() if p not in current or current[p] != r}
    added = await add_people(db, conv, add)
    removed = await remove_people(db, conv, [p for p in current if p not in wanted])
    name = await group_name(db, unit)
    if unit.archived_at is None and conv.name != name:
        conv.name = name
    await members_changed(db, conv, added, removed)


@on_roster_change
async def roster_changed(db: AsyncSession, unit_ids: set[int]) -> None:
    """Keeps each changed unit's group in step, and creates the group of a unit that has come
    to have two or more people who belong in it: a class's teachers and guardians find their
    home-school group in their list without anyone opening it first. A dissolved group stays
    dissolved."""
    keys = {f"u:{u}": u for u in unit_ids}
    convs = (
        (
            await db.execute(
                # In id order: groups are locked one after another, the same way by everyone.
                select(Conversation)
                .where(Conversation.key.in_(list(keys)))
                .order_by(Conversation.id)
            )
        )
        .scalars()
        .all()
    )
    for conv in convs:
        if conv.dissolved_at is not None:
            continue
        unit = await db.get(Unit, conv.unit_id) if conv.unit_id else None
        if unit is not None:
            await sync_group(db, conv, unit)
    missing = set(unit_ids) - {keys[c.key] for c in convs if c.key in keys}
    if not missing:
        return
    units = (
        (
            await db.execute(
                select(Unit)
                .where(Unit.id.in_(missing), Unit.archived_at.is_(None))
                .order_by(Unit.id)
            )
        )
        .scalars()
        .all()
    )
    for unit in units:
        wanted = await wanted_members(db, unit)
        if len(wanted) >= 2:
            made = Conversation(
                kind=ConversationKind.unit.value, name=await group_name(db, unit), unit_id=unit.id
            )
            conv = await get_or_create_keyed(db, f"u:{unit.id}", made, wanted)
            if conv is not made:  # another transaction created it first: bring it in step
                await sync_group(db, conv, unit)
