"""Which entries of the audit log a reader asked for: filters checked and turned into SQL, pages.

Filters (all optional, combined with AND):
- `actor_id`: who did it (a person that exists).
- `actions`: what was done, any of these (each one of audit/actions.py's ACTIONS).
- `since`, `until`: when, `since <= at < until`; moments with a time zone offset. The web client
  sends the start of the first and of the day after the last day of the range, taken in the
  reader's time zone, so "1 to 3 March" means those days where the reader is.
- `unit_id`: which unit — an entry belongs to unit U when
  1. its target is U or a unit under it (`unit.*`, `import.*`), or
  2. the unit it was about besides its target (`AuditEntry.unit_id`: a membership added or
     removed) is U or under it — so a removal stays under the class after the pupil has left, or
  3. its target is a person who is a member (any role, guardians included) of U or a unit
     under it now.
  A person who has left every unit of U is found by 2 for their memberships' entries, not by
  3 for the rest (their name changes, say): the log does not keep who was where when.
- `target_type` with `target_id`: one thing's history.
Newest first; the cursor is the last id shown (ids only grow, in the order of commit-time
`at` up to clock steps; paging by id never skips or repeats an entry).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit.actions import ACTIONS
from bellwork.audit.models import AuditEntry
from bellwork.core.errors import Invalid
from bellwork.core.i18n import t
from bellwork.org.models import Membership, Person, Unit
from bellwork.org.settings import DEFAULT_TIME_ZONE
from bellwork.org.units import subtree_clause

MAX_ACTIONS = 50


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    actions: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    unit_path: str | None = None
    target_type: str | None = None
    target_id: int | None = None


def _error(field: str, code: str, **params: Any) -> dict[str, Any]:
    return {"field": field, "code": code, "message": t(code, **params)}


def parse_zone(name: str | None) -> ZoneInfo:
    """The reader's IANA time zone; 422 `unknown_time_zone` for a name that is not one."""
    if not name:
        return ZoneInfo(DEFAULT_TIME_ZONE)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        err = _error("tz", "unknown_time_zone", value=name[:64])
        raise Invalid("unknown_time_zone", errors=[err], value=name[:64]) from exc


async def parse_filter(
    db: AsyncSession,
    *,
    actor_id: int | None = None,
    actions: Sequence[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    unit_id: int | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
) -> AuditFilter:
    """The filter, checked: 422 naming each bad field (the title tells the first)."""
    bad: list[tuple[str, str, dict[str, Any]]] = []
    wanted = tuple(dict.fromkeys(actions or ()))
    if len(wanted) > MAX_ACTIONS:
        bad.append(("action", "audit_too_many_actions", {"limit": MAX_ACTIONS}))
    for action in wanted[:MAX_ACTIONS]:
        if action not in ACTIONS:
            bad.append(("action", "audit_unknown_action", {"value": action[:64]}))
    if actor_id is not None and await db.get(Person, actor_id) is None:
        bad.append(("actor_id", "audit_unknown_person", {"value": actor_id}))
    naive = False
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and moment.utcoffset() is None:
            naive = True
            bad.append((name, "audit_time_without_zone", {"param": name}))
    if not naive and since is not None and until is not None and since >= until:
        bad.append(("until", "audit_empty_range", {}))
    unit_path = None
    if unit_id is not None:
        found = await db.execute(select(Unit.path).where(Unit.id == unit_id))
        unit_path = found.scalar_one_or_none()
        if unit_path is None:
            bad.append(("unit_id", "audit_unknown_unit", {"value": unit_id}))
    if bad:
        _, code, params = bad[0]
        raise Invalid(code, errors=[_error(f, c, **p) for f, c, p in bad], **params)
    return AuditFilter(
        actor_id=actor_id,
        actions=wanted,
        since=since,
        until=until,
        unit_path=unit_path,
        target_type=target_type or None,
        target_id=target_id,
    )


def conditions(f: AuditFilter) -> list[Any]:
    e = AuditEntry
    out: list[Any] = []
    if f.actor_id is not None:
        out.append(e.actor_id == f.actor_id)
    if f.actions:
        out.append(e.action.in_(f.actions))
    if f.since is not None:
        out.append(e.at >= f.since)
    if f.until is not None:
        out.append(e.at < f.until)
    if f.target_type:
        out.append(e.target_type == f.target_type)
    if f.target_id is not None:
        out.append(e.target_id == f.target_id)
    if f.unit_path is not None:
        units = select(Unit.id).where(subtree_clause(f.unit_path))
        members = (
            select(Membership.person_id)
            .join(Unit, Unit.id == Membership.unit_id)
            .where(subtree_clause(f.unit_path))
        )
        out.append(
            or_(
                and_(e.target_type == "unit", e.target_id.in_(units)),
                e.unit_id.in_(units),
                and_(e.target_type == "person", e.target_id.in_(members)),
            )
        )
    return out


async def page(
    db: AsyncSession, f: AuditFilter, before_id: int | None, limit: int
) -> list[AuditEntry]:
    """Up to `limit` entries matching `f`, newest first, older than `before_id`."""
    stmt = select(AuditEntry).where(*conditions(f)).order_by(AuditEntry.id.desc()).limit(limit)
    if before_id is not None:
        stmt = stmt.where(AuditEntry.id < before_id)
    return list((await db.execute(stmt)).scalars())


async def count_upto(db: AsyncSession, f: AuditFilter, cap: int) -> int:
    """How many entries match, counted up to `cap` (so a huge log is never counted through)."""
    inner = select(AuditEntry.id).where(*conditions(f)).limit(cap).subquery()
    return int((await db.execute(select(func.count()).select_from(inner))).scalar_one())
