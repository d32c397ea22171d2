"""Who may do what in a meeting (docs/meetings.md, "Who may"):

- join, watch, follow `meeting:<id>`: the current members of its conversation (the group it
  was made in, the unit's group, or the group made for the invited people) and, for a unit's
  meeting, whoever belongs in the unit's group by the roster; for anyone else the meeting does
  not exist (404 alike);
- the host tools (mute, allow unmute, remove, lock, waiting room, admit, hand over, end): its
  host;
- attendance and minutes: its host and whoever created it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.chat.groups import CLASS_ROLES, OTHER_ROLES
from bellwork.chat.models import Conversation, ConversationMember
from bellwork.core.errors import Forbidden, NotFound
from bellwork.meetings.models import Meeting
from bellwork.org.models import Membership, Person, Unit, UnitKind


async def is_member(db: AsyncSession, person_id: int, conversation_id: int) -> bool:
    found = await db.execute(
        select(ConversationMember.id)
        .join(Conversation, Conversation.id == ConversationMember.conversation_id)
        .where(
            ConversationMember.conversation_id == conversation_id,
            ConversationMember.person_id == person_id,
            ConversationMember.left_seq.is_(None),
            Conversation.dissolved_at.is_(None),
        )
        .limit(1)
    )
    return found.first() is not None


async def in_unit(db: AsyncSession, person_id: int, unit_id: int) -> bool:
    """Whether the person belongs in the unit's group (the roles its group is made of): a
    meeting for a unit follows the roster at once, not when the group next catches up."""
    unit = await db.get(Unit, unit_id)
    if unit is None:
        return False
    roles = CLASS_ROLES if unit.kind == UnitKind.klass.value else OTHER_ROLES
    found = await db.execute(
        select(Membership.id)
        .where(
            Membership.unit_id == unit_id,
            Membership.person_id == person_id,
            Membership.role.in_(roles),
        )
        .limit(1)
    )
    return found.first() is not None


async def may_join(db: AsyncSession, person: Person, meeting: Meeting) -> bool:
    if meeting.unit_id is not None and await in_unit(db, person.id, meeting.unit_id):
        return True
    return await is_member(db, person.id, meeting.conversation_id)


async def may_join_id(db: AsyncSession, person_id: int, meeting_id: int) -> bool:
    person = await db.get(Person, person_id)
    meeting = await db.get(Meeting, meeting_id)
    if person is None or not person.active or meeting is None:
        return False
    return await may_join(db, person, meeting)


def may_see_attendance(person: Person, meeting: Meeting) -> bool:
    return person.id in (meeting.host_id, meeting.created_by)


async def access_meeting(db: AsyncSession, person: Person, meeting_id: int) -> Meeting:
    """The meeting, if this person may join it; 404 alike for missing and not theirs."""
    meeting = await db.get(Meeting, meeting_id)
    if meeting is None or not await may_join(db, person, meeting):
        raise NotFound("meeting")
    return meeting


def require_host(person: Person, meeting: Meeting) -> None:
    if meeting.host_id != person.id:
        raise Forbidden("meeting_host_only")
