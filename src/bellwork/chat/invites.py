"""扫码入群: joining a group by its QR code or link.

- A group (not a unit's group, whose members follow the roster; not a direct or private chat) has
  one current code, made when a member first asks for it and shown as a QR code of
  `/join/{code}`. It works for 7 days (`INVITE_DAYS`), until an owner or admin replaces it, or
  while the group's `join_mode` allows: `open` — whoever has it joins at once; `approval` (the
  default) — joining is a request an owner or admin approves or refuses; `off` — it does not
  work and members cannot show it.
- Whoever scans it must be signed in; they see the group's name, size and who shared the code
  before they join. Nobody is told anything about a group from a code that is wrong, expired
  or replaced: all three answer 404 `invite_invalid`.
- A request is one row per (group, person): asking again after a refusal asks anew. Owners and
  admins hear of a request live (`join.requested`), and whoever joins is announced in the chat
  (`members.joined`, naming whose code they scanned).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat import events as ev
from bellwork.chat.access import (
    access_conversation,
    active_members,
    is_admin,
    lock_conversation,
    require_admin,
)
from bellwork.chat.live import emit
from bellwork.chat.membership import add_people, members_changed
from bellwork.chat.messages import post_notice
from bellwork.chat.models import (
    Conversation,
    ConversationKind,
    ConversationMember,
    GroupInvite,
    JoinMode,
    JoinRequest,
    MemberRole,
)
from bellwork.chat.schemas import (
    MAX_GROUP,
    InviteOut,
    InvitePreview,
    JoinOut,
    JoinRequestOut,
)
from bellwork.chat.shaping import person_refs
from bellwork.core.errors import Forbidden, Invalid, NotFound
from bellwork.db.base import utcnow
from bellwork.org.models import Person

INVITE_DAYS = 7


def _require_invitable(conv: Conversation) -> None:
    if conv.kind == ConversationKind.unit.value:
        raise Forbidden("unit_group_follows_roster")
    if conv.kind != ConversationKind.group.value or conv.private:
        raise Forbidden("not_a_group")


async def _current(db: AsyncSession, conv: Conversation) -> GroupInvite | None:
    row = (
        await db.execute(
            select(GroupInvite)
            .where(
                GroupInvite.conversation_id == conv.id,
                GroupInvite.revoked_at.is_(None),
                GroupInvite.expires_at > utcnow(),
            )
            .order_by(GroupInvite.id.desc())
            .limit(1)
        )
    ).scalar()
    return row


def _out(conv: Conversation, invite: GroupInvite) -> InviteOut:
    return InviteOut(
        conversation_id=conv.id,
        code=invite.code,
        expires_at=invite.expires_at,
        join_mode=JoinMode(conv.join_mode),
    )


def _new(conv: Conversation, by: int) -> GroupInvite:
    now = utcnow()
    return GroupInvite(
        conversation_id=conv.id,
        code=secrets.token_urlsafe(18),
        created_by=by,
        created_at=now,
        expires_at=now + timedelta(days=INVITE_DAYS),
    )


async def get_invite(db: AsyncSession, actor: Actor, conversation_id: int) -> InviteOut:
    """The group's code, made on first ask (or when the last one expired). Any member while
    the group takes people by code; an owner or admin always (to switch it back on)."""
    conv, me = await access_conversation(db, actor.id, conversation_id, lock=True)
    _require_invitable(conv)
    if conv.join_mode == JoinMode.off.value and not is_admin(me):
        raise Forbidden("invites_off")
    invite = await _current(db, conv)
    if invite is None:
        invite = _new(conv, actor.id)
        db.add(invite)
        await db.flush()
    return _out(conv, invite)


async def reset_invite(db: AsyncSession, actor: Actor, conversation_id: int) -> InviteOut:
    """A new code; the old one stops working (a code that went where it should not)."""
    conv, me = await access_conversation(db, actor.id, conversation_id, lock=True)
    _require_invitable(conv)
    require_admin(me)
    old = await _current(db, conv)
    if old is not None:
        old.revoked_at = utcnow()
    invite = _new(conv, actor.id)
    db.add(invite)
    await db.flush()
    return _out(conv, invite)


async def _by_code(db: AsyncSession, code: str) -> tuple[GroupInvite, Conversation]:
    """The invite and its group; 404 alike for a wrong, expired or replaced code, and for a
    group that was dissolved."""
    row = (
        await db.execute(
            select(GroupInvite, Conversation)
            .join(Conversation, Conversation.id == GroupInvite.conversation_id)
            .where(GroupInvite.code == code)
        )
    ).first()
    if row is None:
        raise Invalid("invite_invalid", status=404)
    invite, conv = row[0], row[1]
    if (
        invite.revoked_at is not None
        or invite.expires_at <= utcnow()
        or conv.dissolved_at is not None
        or conv.kind != ConversationKind.group.value
    ):
        raise Invalid("invite_invalid", status=404)
    return invite, conv


async def _pending(db: AsyncSession, conv: Conversation, person_id: int) -> JoinRequest | None:
    return (
        await db.execute(
            select(JoinRequest).where(
                JoinRequest.conversation_id == conv.id,
                JoinRequest.person_id == person_id,
            )
        )
    ).scalar()


async def preview(db: AsyncSession, actor: Actor, code: str) -> InvitePreview:
    """The group behind a code, as the person who scanned it sees it before joining."""
    invite, conv = await _by_code(db, code)
    if conv.join_mode == JoinMode.off.value:
        raise Forbidden("invites_off")
    people = await person_refs(db, {invite.created_by} if invite.created_by else set())
    request = await _pending(db, conv, actor.id)
    return InvitePreview(
        conversation_id=conv.id,
        name=conv.name or "",
        avatar_file_id=conv.avatar_file_id,
        member_count=conv.member_count,
        join_mode=JoinMode(conv.join_mode),
        invited_by=people.get(invite.created_by) if invite.created_by else None,
        expires_at=invite.expires_at,
        member=bool(await active_members(db, conv.id, [actor.id])),
        requested=request is not None and request.decided_at is None,
    )


async def _admit(
    db: AsyncSession, conv: Conversation, person_id: int, invited_by: int | None
) -> bool:
    """Adds one person who came by the code; False if they were in already."""
    if conv.member_count + 1 > MAX_GROUP:
        raise Invalid("group_too_large", max=MAX_GROUP)
    added = await add_people(db, conv, {person_id: MemberRole.member.value})
    if not added:
        return False
    joiner = await db.get(Person, person_id)
    params: dict[str, object] = {"person_ids": added}
    if invited_by is not None:
        sharer = await db.get(Person, invited_by)
        if sharer is not None:
            params["by_id"] = sharer.id
            params["by_name"] = sharer.name
    await post_notice(db, conv, joiner, "members.joined", params)
    await members_changed(db, conv, added, [])
    return True


async def join(db: AsyncSession, actor: Actor, code: str) -> JoinOut:
    """Joins by the code: at once in an open group, else a request for an owner or admin."""
    invite, found = await _by_code(db, code)
    conv = await lock_conversation(db, found.id)
    if conv.join_mode == JoinMode.off.value:
        raise Forbidden("invites_off")
    if await active_members(db, conv.id, [actor.id]):
        return JoinOut(status="member", conversation_id=conv.id)
    person = await db.get(Person, actor.id)
    if person is None or person.deactivated_at is not None:
        raise NotFound("person")
    if conv.join_mode == JoinMode.open.value:
        await _admit(db, conv, actor.id, invite.created_by)
        return JoinOut(status="joined", conversation_id=conv.id)
    request = await _pending(db, conv, actor.id)
    if request is None:
        request = JoinRequest(conversation_id=conv.id, person_id=actor.id)
        db.add(request)
    elif request.decided_at is None:
        return JoinOut(status="requested", conversation_id=conv.id)
    request.invited_by = invite.created_by
    request.created_at = utcnow()
    request.decided_at = None
    request.decided_by = None
    request.approved = None
    await db.flush()
    emit(
        db,
        ev.JoinRequested(conversation_id=conv.id, request_id=request.id),
        people=await _admins(db, conv),
    )
    return JoinOut(status="requested", conversation_id=conv.id)


async def _admins(db: AsyncSession, conv: Conversation) -> list[int]:
    rows = await db.execute(
        select(ConversationMember.person_id).where(
            ConversationMember.conversation_id == conv.id,
            ConversationMember.left_seq.is_(None),
            ConversationMember.role.in_((MemberRole.owner.value, MemberRole.admin.value)),
        )
    )
    return sorted(rows.scalars())


async def requests(db: AsyncSession, actor: Actor, conversation_id: int) -> list[JoinRequestOut]:
    """The requests waiting for a decision, oldest first. Owners and admins."""
    conv, me = await access_conversation(db, actor.id, conversation_id)
    _require_invitable(conv)
    require_admin(me)
    rows = list(
        (
            await db.execute(
                select(JoinRequest)
                .where(JoinRequest.conversation_id == conv.id, JoinRequest.decided_at.is_(None))
                .order_by(JoinRequest.created_at, JoinRequest.id)
                .limit(500)
            )
        ).scalars()
    )
    ids = {r.person_id for r in rows} | {r.invited_by for r in rows if r.invited_by}
    people = await person_refs(db, ids, conv)
    return [
        JoinRequestOut(
            id=r.id,
            person=people[r.person_id],
            invited_by=people.get(r.invited_by) if r.invited_by else None,
            created_at=r.created_at,
        )
        for r in rows
        if r.person_id in people
    ]


async def decide(
    db: AsyncSession, actor: Actor, conversation_id: int, request_id: int, approve: bool
) -> None:
    """An owner or admin approves (the person joins) or refuses a request. A request decided
    already (by another admin) is left as it is."""
    conv, me = await access_conversation(db, actor.id, conversation_id, lock=True)
    _require_invitable(conv)
    require_admin(me)
    request = await db.get(JoinRequest, request_id)
    if request is None or request.conversation_id != conv.id:
        raise NotFound("join_request")
    if request.decided_at is not None:
        return
    request.decided_at = utcnow()
    request.decided_by = actor.id
    request.approved = approve
    if approve:
        await _admit(db, conv, request.person_id, request.invited_by)
    emit(
        db,
        ev.JoinDecided(conversation_id=conv.id, request_id=request.id, approved=approve),
        people=sorted({request.person_id, *await _admins(db, conv)}),
    )
