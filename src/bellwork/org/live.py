"""The organisation on the socket: topic `unit:<id>`.

An event for everyone in a unit and below it (a school-wide notice to 8,000 people, a form's
live roll-up for a bureau) is published once to `unit:<id>`, not once per person. A socket is
not subscribed to units when it opens (that would cost every idle socket memory); the client
subscribes to the units a screen shows. Who may: anyone with a membership in the unit or in a
unit below it, a head of the unit or of a unit above it, and installation administrators; for
anyone else, and for a unit that does not exist or is archived, the subscription is refused
alike.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.org.models import Membership, Person, Role, Unit
from bellwork.org.settings import chain
from bellwork.org.units import subtree_clause
from bellwork.realtime.protocol import Part, topic

UNIT = "unit"


def unit_topic(unit_id: int) -> str:
    return topic(UNIT, unit_id)


async def may_follow_unit(db: AsyncSession, person_id: int, unit_id: int) -> bool:
    unit = await db.get(Unit, unit_id)
    if unit is None or unit.archived_at is not None:
        return False
    person = await db.get(Person, person_id)
    if person is None or not person.active:
        return False
    if person.is_admin:
        return True
    above = chain(unit.path)
    found = await db.execute(
        select(Membership.id)
        .join(Unit, Unit.id == Membership.unit_id)
        .where(
            Membership.person_id == person_id,
            or_(
                subtree_clause(unit.path),
                and_(Membership.unit_id.in_(above), Membership.role == Role.head.value),
            ),
        )
        .limit(1)
    )
    return found.first() is not None


PART = Part(name="org", topics={UNIT: may_follow_unit})
