"""Who is in a conversation: opening direct chats, creating groups, adding and removing members,
roles, leaving, dissolving. Unit groups (chat/groups.py) follow the roster through
`get_or_create_keyed`, `add_people`, `remove_people` and `members_changed`.

Membership changes take turns per conversation (`access_conversation(..., lock=True)`). A member
who joins later sees nothing said before (`joined_seq`); one who leaves hears nothing after
(`left_seq`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat import events as ev
from bellwork.chat.access import (
    access_conversation,
    active_members,
    member_ids,
    require_admin,
    require_group,
)
from bellwork.chat.attachments import file_in_message
from bellwork.chat.burn import DEFAULT_BURN_SECONDS
from bellwork.chat.live import emit
from bellwork.chat.messages import post_notice
from bellwork.chat.models import (
    Conversation,
    ConversationKind,
    ConversationMember,
    MemberRole,
    StoredFile,
)
from bellwork.chat.schemas import MAX_GROUP, GroupCreate, GroupUpdate
from bellwork.chat.shaping import announce
from bellwork.core.errors import Forbidden, Invalid, NotFound
from bellwork.db.base import utcnow
from bellwork.org import access as org_access
from bellwork.org.access import Scope
from bellwork.org.models import Person


async def _new_conversation(
    db: AsyncSession, conv: Conversation, members: dict[int, str]
) -> Conversation:
    conv.member_count = len(members)
    db.add(conv)
    await db.flush()
    db.add_all(
        ConversationMember(conversation_id=conv.id, person_id=pid, role=role)
        for pid, role in members.items()
    )
    await db.flush()
    return conv


async def get_or_create_keyed(
    db: AsyncSession, key: str, make: Conversation, members: dict[int, str]
) -> Conversation:
    """The conversation with this `key` (a direct chat's, a unit group's...), or `make` with
    these members (person id -> role) if there is none yet; its members' devices hear of it."""
    existing = (await db.execute(select(Conversation).where(Conversation.key == key))).scalar()
    if existing is not None:
        return existing
    make.key = key
    try:
        async with db.begin_nested():
            conv = await _new_conversation(db, make, members)
    except IntegrityError:
        # Created at the same moment by another request: use that one.
        found = (await db.execute(select(Conversation).where(Conversation.key == key))).scalar()
        if found is None:
            raise
        return found
    # New: every member's devices learn about it (and subscribe) at once.
    await announce(db, conv, list(members))
    return conv


async def direct_between(
    db: AsyncSession,
    a: int,
    b: int,
    private: bool = False,
    burn_seconds: int | None = None,
) -> Conversation:
    """The direct chat of two people, made if there is none yet. The caller has decided they
    may talk (`open_direct` checks it for a person; another domain — a work report to one's
    manager two units up — applies its own rule)."""
    lo, hi = sorted((a, b))
    return await get_or_create_keyed(
        db,
        f"{'p' if private else 'd'}:{lo}:{hi}",
        Conversation(
            kind=ConversationKind.direct.value,
            private=private,
            burn_seconds=(burn_seconds or DEFAULT_BURN_SECONDS) if private else None,
        ),
        {a: MemberRole.member.value, b: MemberRole.member.value},
    )


async def open_direct(
    db: AsyncSession,
    actor: Actor,
    scope: Scope,
    person_id: int,
    private: bool,
    burn_seconds: int | None,
) -> tuple[Conversation, ConversationMember]:
    if person_id == actor.id:
        raise Invalid("direct_with_self", errors=[{"field": "person_id"}])
    other = await org_access.access_person(db, scope, person_id)
    refusal = org_access.message_refusal(scope, other)
    if refusal is not None:
        raise Invalid(refusal, errors=[{"field": "person_id"}])
    conv = await direct_between(db, actor.id, person_id, private, burn_seconds)
    if private and burn_seconds is not None and conv.burn_seconds != burn_seconds:
        # Opened again with another time chosen: that is the new setting, for both of them.
        conv.burn_seconds = burn_seconds
        await announce(db, conv, [actor.id, person_id])
    return await access_conversation(db, actor.id, conv.id)


async def open_devices(db: AsyncSession, actor: Actor) -> tuple[Conversation, ConversationMember]:
    conv = await get_or_create_keyed(
        db,
        f"m:{actor.id}",
        Conversation(kind=ConversationKind.devices.value, name=None),
        {actor.id: MemberRole.owner.value},
    )
    return await access_conversation(db, actor.id, conv.id)


async def _check_visible(db: AsyncSession, scope: Scope, ids: set[int]) -> None:
    """Every id is an existing, active person the caller may see (admins: any existing one)."""
    if not ids:
        return
    visible = set(
        (
            await db.execute(
                select(Person.id).where(
                    Person.id.in_(ids),
                    org_access.visible_people_clause(scope),
                    Person.deactivated_at.is_(None),
                )
            )
        ).scalars()
    )
    missing = sorted(ids - visible)
    if missing:
        raise NotFound("person")


async def create_group(
    db: AsyncSession, actor: Actor, scope: Scope, data: GroupCreate
) -> tuple[Conversation, ConversationMember]:
    ids = set(data.member_ids) - {actor.id}
    await _check_visible(db, scope, ids)
    members = {pid: MemberRole.member.value for pid in ids}
    members[actor.id] = MemberRole.owner.value
    conv = await _new_conversation(
        db,
        Conversation(kind=ConversationKind.group.value, name=data.name.strip(), owner_id=actor.id),
        members,
    )
    await announce(db, conv, list(members))
    await post_notice(db, conv, actor.person, "group.created", {"name": conv.name})
    return await access_conversation(db, actor.id, conv.id)


async def update_group(
    db: AsyncSession, actor: Actor, conversation_id: int, data: GroupUpdate
) -> tuple[Conversation, ConversationMember]:
    conv, me = await access_conversation(db, actor.id, conversation_id, lock=True)
    fields = data.model_fields_set
    if conv.private:
        # A private chat has only its burn time to set (no name, no avatar, no system messages).
        if fields - {"burn_seconds"}:
            raise Forbidden("not_a_group")
        if data.burn_seconds is not None:
            conv.burn_seconds = data.burn_seconds
    else:
        require_group(conv)
        require_admin(me)
    if "name" in fields and data.name:
        conv.name = data.name.strip()
        await post_notice(db, conv, actor.person, "group.renamed", {"name": conv.name})
    if "avatar_file_id" in fields:
        if data.avatar_file_id is not None:
            f = await db.get(StoredFile, data.avatar_file_id)
            if f is None or f.conversation_id != conv.id or not f.content_type.startswith("image/"):
                raise Invalid("bad_avatar", errors=[{"field": "avatar_file_id"}])
            if await file_in_message(db, f.id):  # recalling that message would delete it
                raise Invalid("bad_avatar", errors=[{"field": "avatar_file_id"}])
        conv.avatar_file_id = data.avatar_file_id
    if "join_mode" in fields and data.join_mode is not None:
        conv.join_mode = data.join_mode.value
    await announce(db, conv, await member_ids(db, conv.id))
    return conv, me


async def add_people(db: AsyncSession, conv: Conversation, roles: dict[int, str]) -> list[int]:
    """Adds (or brings back) people with these roles, or sets the role of those who are in
    already (an owner stays owner); returns those actually added. They see what is said from
    now on. No events: tell with `members_changed`."""
    if not roles:
        return []
    existing = {
        m.person_id: m
        for m in (
            await db.execute(
                select(ConversationMember).where(
                    ConversationMember.conversation_id == conv.id,
                    ConversationMember.person_id.in_(list(roles)),
                )
            )
        ).scalars()
    }
    added = []
    for pid, role in roles.items():
        m = existing.get(pid)
        if m is None:
            db.add(
                ConversationMember(
                    conversation_id=conv.id,
                    person_id=pid,
                    role=role,
                    joined_seq=conv.last_seq,
                    last_read_seq=conv.last_seq,
                )
            )
            added.append(pid)
        elif m.left_seq is not None:
            m.left_seq = None
            m.joined_seq = conv.last_seq
            m.last_read_seq = max(m.last_read_seq, conv.last_seq)
            m.role = role
            added.append(pid)
        elif m.role != role and m.role != MemberRole.owner.value:
            m.role = role
    conv.member_count += len(added)
    await db.flush()
    return added


async def remove_people(db: AsyncSession, conv: Conversation, ids: list[int]) -> list[int]:
    """Takes these people out (those who are in); returns them. No events: tell with
    `members_changed`."""
    rows = await active_members(db, conv.id, ids)
    for m in rows:
        m.left_seq = conv.last_seq
    conv.member_count -= len(rows)
    await db.flush()
    return [m.person_id for m in rows]


async def members_changed(
    db: AsyncSession, conv: Conversation, added: list[int], removed: list[int]
) -> None:
    """Tells the members, and those added or removed, after the commit; the sockets of those
    added join the conversation's topic, those removed leave it."""
    if not added and not removed:
        return
    emit(
        db,
        ev.MembersChanged(
            conversation_id=conv.id, added=added, removed=removed, member_count=conv.member_count
        ),
        conversation_id=conv.id,
        add=added,
        remove=removed,
    )
    if added:
        await announce(db, conv, added)
    for pid in removed:
        emit(db, ev.ConversationRemoved(conversation_id=conv.id), people=[pid])


async def add_members(
    db: AsyncSession, actor: Actor, scope: Scope, conversation_id: int, ids: list[int]
) -> list[int]:
    conv, me = await access_conversation(db, actor.id, conversation_id, lock=True)
    require_group(conv)
    require_admin(me)
    wanted = set(ids) - {actor.id}
    await _check_visible(db, scope, wanted)
    if conv.member_count + len(wanted) > MAX_GROUP:
        raise Invalid("group_too_large", max=MAX_GROUP)
    added = await add_people(db, conv, {pid: MemberRole.member.value for pid in wanted})
    if added:
        await post_notice(db, conv, actor.person, "members.added", {"person_ids": added})
    await members_changed(db, conv, added, [])
    return added


async def remove_member(
    db: AsyncSession, actor: Actor, conversation_id: int, person_id: int
) -> None:
    conv, me = await access_conversation(db, actor.id, conversation_id, lock=True)
    require_group(conv)
    if person_id == actor.id:
        return await leave(db, actor, conversation_id)
    require_admin(me)
    target = next(iter(await active_members(db, conv.id, [person_id])), None)
    if target is None:
        raise NotFound("person")
    if target.role == MemberRole.owner.value or (
        target.role == MemberRole.admin.value and me.role != MemberRole.owner.value
    ):
        raise Forbidden("cannot_remove_admin")
    removed = await remove_people(db, conv, [person_id])
    await post_notice(db, conv, actor.person, "members.removed", {"person_ids": removed})
    await members_changed(db, conv, [], removed)
    return None


async def leave(db: AsyncSession, actor: Actor, conversation_id: int) -> None:
    conv, me = await access_conversation(db, actor.id, conversation_id, lock=True)
    if conv.kind == ConversationKind.unit.value:
        raise Forbidden("unit_group_follows_roster")
    if conv.kind != ConversationKind.group.value:
        raise Forbidden("not_a_group")
    if me.role == MemberRole.owner.value:
        # Hand ownership to the longest-standing admin, else member; alone: dissolve.
        heir = (
            await db.execute(
                select(ConversationMember)
                .where(
                    ConversationMember.conversation_id == conv.id,
                    ConversationMember.person_id != actor.id,
                    ConversationMember.left_seq.is_(None),
                )
                .order_by(
                    (ConversationMember.role != MemberRole.admin.value), ConversationMember.id
                )
            )
        ).scalar()
        if heir is None:
            await dissolve(db, actor, conversation_id)
            return
        heir.role = MemberRole.owner.value
        conv.owner_id = heir.person_id
    removed = await remove_people(db, conv, [actor.id])
    await post_notice(db, conv, actor.person, "members.left", {"person_ids": removed})
    await members_changed(db, conv, [], removed)
    await announce(db, conv, [conv.owner_id] if conv.owner_id else [])


async def dissolve(db: AsyncSession, actor: Actor, conversation_id: int) -> None:
    conv, me = await access_conversation(db, actor.id, conversation_id, lock=True)
    require_group(conv)
    if me.role != MemberRole.owner.value:
        raise Forbidden("group_owner_only")
    ids = await member_ids(db, conv.id)
    conv.dissolved_at = utcnow()
    emit(db, ev.ConversationRemoved(conversation_id=conv.id), conversation_id=conv.id, remove=ids)


async def set_role(
    db: AsyncSession, actor: Actor, conversation_id: int, person_id: int, role: str
) -> None:
    conv, me = await access_conversation(db, actor.id, conversation_id, lock=True)
    require_group(conv)
    if me.role != MemberRole.owner.value:
        raise Forbidden("group_owner_only")
    if person_id == actor.id:
        # The owner stays owner until handing the group to someone else.
        raise Invalid("cannot_change_own_role", errors=[{"field": "role"}])
    target = next(iter(await active_members(db, conv.id, [person_id])), None)
    if target is None:
        raise NotFound("person")
    if role == MemberRole.owner.value:
        me.role = MemberRole.admin.value
        conv.owner_id = person_id
    target.role = role
    await announce(db, conv, [actor.id, person_id])
