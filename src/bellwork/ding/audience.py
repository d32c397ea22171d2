"""Who may send a DING and whom it reaches (docs/ding.md, "Who may send, and to whom").

**Senders**: installation admins always; otherwise whoever holds, in some unit, a role that the
unit's setting `ding_senders` lists (inherited down the tree like every unit setting; by
default heads, teachers and staff) — `may_send`, the one place the rule lives.

**Audience sources**: people picked by name, units × roles, "everyone who has not read
message X" (a chat message of one's own: its unread list) and "everyone who has still to fill
form Y today" (a form campaign whose figures one may see: `forms.filling.missing_fillers`).
Each source resolves to person ids with the unit each was reached in; `resolve_audience` joins
them (`org.audience.resolve`), each person once, the sender left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat.receipts import unread_members
from bellwork.core.errors import Conflict, Forbidden
from bellwork.db.base import utcnow
from bellwork.delivery.quotas import sms_quota
from bellwork.ding.schemas import DingCreate
from bellwork.org import audience
from bellwork.org.access import Scope
from bellwork.org.models import Membership, Person, Unit
from bellwork.org.settings import nearest, settings_along
from bellwork.org.settings_schemas import DEFAULTS

MAX_RECIPIENTS = 10_000
BATCH = 500
SENDERS = "ding_senders"
DEFAULT_SENDERS = tuple(str(r) for r in DEFAULTS.ding_senders or ())


def _roles(value: Any) -> set[str] | None:
    if isinstance(value, list) and value and all(isinstance(r, str) for r in value):
        return set(value)
    return None  # not a list of roles (written by hand): as if unset


async def may_send(db: AsyncSession, scope: Scope) -> bool:
    """Admins, and whoever holds in some (not archived) unit a role that the unit's
    `ding_senders` setting lists (heads, teachers and staff by default). Two queries."""
    if scope.admin:
        return True
    rows = list(
        await db.execute(
            select(Unit.path, Membership.role)
            .join(Unit, Unit.id == Membership.unit_id)
            .where(Membership.person_id == scope.person_id, Unit.archived_at.is_(None))
        )
    )
    if not rows:
        return False
    along = await settings_along(db, {path for path, _ in rows})
    for path, role in rows:
        found = nearest(path, along, SENDERS)
        allowed = _roles(found[1]) if found is not None else None
        if role in (allowed if allowed is not None else DEFAULT_SENDERS):
            return True
    return False


async def require_sender(db: AsyncSession, scope: Scope) -> None:
    if not await may_send(db, scope):
        raise Forbidden("ding_not_allowed")


async def resolve_audience(
    db: AsyncSession, actor: Actor, scope: Scope, data: DingCreate
) -> list[tuple[int, int | None]]:
    """(person, unit reached in) for everyone the DING reaches (`org.audience.resolve`: people
    by name, units × roles, each once, the sender left out), and the unread of a message of
    one's own (`unread_of`: 404 for a message one cannot see, 403 for another's). Problems:
    `ding_people_unreachable`, `ding_audience_empty`, `ding_too_many`."""
    extra: list[tuple[int, int | None]] = []
    if data.unread_of is not None:
        extra = await _unread(db, actor, scope, data.unread_of.conversation_id, data.unread_of.seq)
    if data.unfilled_of is not None:
        # Imported here: forms alerts by DING (forms.cases), so forms imports ding first.
        from bellwork.forms.filling import missing_fillers

        extra += await missing_fillers(
            db, scope, data.unfilled_of.campaign_id, data.unfilled_of.day, utcnow()
        )
    return await audience.resolve(
        db,
        scope,
        people=data.people,
        units=data.units,
        extra=extra,
        prefix="ding",
        limit=MAX_RECIPIENTS,
    )


async def _unread(
    db: AsyncSession, actor: Actor, scope: Scope, conversation_id: int, seq: int
) -> list[tuple[int, int | None]]:
    """Who has not read one's message `seq` (chat's unread list), those of them active and
    visible to the sender, each with the unit of their first membership (a guardian's: their
    child's class), as the receipt groups them. Another's message: 403
    `ding_unread_sender_only`."""
    try:
        ids = await unread_members(db, actor, conversation_id, seq)
    except Forbidden as exc:
        raise Forbidden("ding_unread_sender_only") from exc
    seen = await audience.visible(db, scope, ids)
    people = [p for p in ids if p in seen]
    units: dict[int, int] = {}
    for i in range(0, len(people), BATCH):
        rows = await db.execute(
            select(Membership.person_id, Membership.unit_id)
            .join(Unit, Unit.id == Membership.unit_id)
            .where(Membership.person_id.in_(people[i : i + BATCH]), Unit.archived_at.is_(None))
            .order_by(Membership.id)
        )
        for pid, uid in rows:
            units.setdefault(pid, uid)
    return [(p, units.get(p)) for p in people]


async def check_quota(
    db: AsyncSession, recipients: Sequence[tuple[int, int | None]], channel: str = "sms"
) -> None:
    """Refuses a DING by text message (or voice call) up front — 409 `ding_sms_quota`
    (`ding_voice_quota`) — when its messages do not fit the monthly quota of their
    organisation (`delivery.quotas`), rather than sending some and logging the rest as failed.
    Recipients reached in one unit share its quota: one look-up per unit (its first recipient
    with a phone), one per person picked by name."""
    phones: set[int] = set()
    ids = [pid for pid, _ in recipients]
    for i in range(0, len(ids), BATCH):
        found = await db.execute(
            select(Person.id).where(Person.id.in_(ids[i : i + BATCH]), Person.phone.is_not(None))
        )
        phones.update(found.scalars())
    by_unit: dict[int | None, list[int]] = {}
    for pid, uid in recipients:
        if pid in phones:
            by_unit.setdefault(uid, []).append(pid)
    need: dict[int, int] = {}
    quotas: dict[int, tuple[int, int]] = {}  # quota unit → (limit, left)
    for uid, people in by_unit.items():
        groups = [people] if uid is not None else [[p] for p in people]
        for group in groups:
            quota = await sms_quota(db, group[0], lock=True, channel=channel)
            if quota is None:
                continue
            quotas[quota.unit_id] = (quota.limit, quota.left)
            need[quota.unit_id] = need.get(quota.unit_id, 0) + len(group)
    for unit_id, n in need.items():
        limit, left = quotas[unit_id]
        if n > left:
            code = "ding_voice_quota" if channel == "voice" else "ding_sms_quota"
            raise Conflict(code, count=n, limit=limit, left=left)
