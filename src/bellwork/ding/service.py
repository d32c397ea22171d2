"""The rules of DING (docs/ding.md): who may send, whom a DING reaches, sending now or at a
minute, confirming, reminding and recalling.

- Recipients are resolved and written when the sender sends — one `Ding` row each, a scheduled
  DING included — so the sender learns at once that an audience is empty or out of reach, and
  the list stays what it was when people move. A scheduled DING reaches them at its minute
  (the `ding.send` job, `ding/jobs.py`).
- Going out: one `ding.alert` to every recipient's devices, and on the chosen channels (text
  message, email) a `ding.deliver` job that queues a delivery per recipient through
  `delivery.service.queue_delivery` — both in the transaction that sends, so a rollback
  sends nothing.
- A recipient's alert lasts until they confirm (`ding.confirmed` stops their other devices),
  the sender recalls it (`ding.recalled`), or forever.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat.shaping import person_refs
from bellwork.core.errors import Conflict, Forbidden, Invalid, NotFound, Problem
from bellwork.core.i18n import t
from bellwork.core.schemas import Page, decode_cursor, encode_cursor
from bellwork.db.base import utcnow
from bellwork.delivery.quotas import sms_quota
from bellwork.delivery.service import queue_delivery
from bellwork.ding.live import DingAlerted, DingChanged, DingConfirmed, DingRecalled, tell
from bellwork.ding.models import Ding, DingMessage
from bellwork.ding.schemas import (
    DingAlert,
    DingCreate,
    DingDetail,
    DingGroup,
    DingOut,
    RecipientOut,
)
from bellwork.jobs import enqueue
from bellwork.org.access import Scope, access_unit, visible_people_clause
from bellwork.org.models import Membership, Person, Unit
from bellwork.org.units import path_names, subtree_clause

SEND = "ding.send"
DELIVER = "ding.deliver"
REMIND_EVERY = timedelta(minutes=5)
MAX_RECIPIENTS = 10_000
BATCH = 500


def may_send(scope: Scope) -> bool:
    """Who may DING: installation admins always; otherwise heads, teachers and staff of some
    unit. This is the one place the rule lives: the organisation setting "who may DING"
    (a unit setting, inherited down the tree: `org.settings.unit_setting`) plugs in here."""
    return scope.admin or bool(scope.head_paths or scope.teacher_units or scope.staff_units)


def require_sender(scope: Scope) -> None:
    if not may_send(scope):
        raise Forbidden("ding_not_allowed")


# --- the audience ----------------------------------------------------------------------------


async def _visible(db: AsyncSession, scope: Scope, ids: Sequence[int]) -> set[int]:
    """Those of `ids` who are active and whom `scope` may see."""
    found: set[int] = set()
    for i in range(0, len(ids), BATCH):
        rows = await db.execute(
            select(Person.id).where(
                Person.id.in_(ids[i : i + BATCH]),
                Person.deactivated_at.is_(None),
                visible_people_clause(scope),
            )
        )
        found.update(rows.scalars())
    return found


async def resolve_audience(
    db: AsyncSession, scope: Scope, data: DingCreate
) -> list[tuple[int, int | None]]:
    """(person, unit reached in) for everyone the DING reaches, in the order chosen, each once,
    the sender left out. People picked by name must all be reachable (403
    `ding_people_unreachable` otherwise); a unit gives its active members with the roles asked
    whom the sender may see. Nobody at all: 422 `ding_audience_empty`."""
    out: dict[int, int | None] = {}
    picked = list(dict.fromkeys(data.people))
    if picked:
        seen = await _visible(db, scope, picked)
        missing = [p for p in picked if p not in seen]
        if missing:
            raise Forbidden("ding_people_unreachable", count=len(missing))
    for chosen in data.units:
        unit = await access_unit(db, chosen.unit_id)
        rows = await db.execute(
            select(Membership.person_id, Membership.unit_id)
            .join(Unit, Unit.id == Membership.unit_id)
            .join(Person, Person.id == Membership.person_id)
            .where(
                subtree_clause(unit.path),
                Unit.archived_at.is_(None),
                Membership.role.in_(chosen.roles),
                Person.deactivated_at.is_(None),
            )
            .order_by(Unit.path, Person.sort_key, Person.id)
        )
        members: dict[int, int] = {}
        for pid, uid in rows:
            members.setdefault(pid, uid)
        if not scope.manages_path(unit.path):
            seen = await _visible(db, scope, list(members))
            members = {p: u for p, u in members.items() if p in seen}
        for pid, uid in members.items():
            out.setdefault(pid, uid)
    for pid in picked:
        out.setdefault(pid, None)
    out.pop(scope.person_id, None)
    if not out:
        raise Invalid("ding_audience_empty")
    if len(out) > MAX_RECIPIENTS:
        raise Invalid("ding_too_many", limit=MAX_RECIPIENTS)
    return list(out.items())


async def check_sms_quota(db: AsyncSession, recipients: Sequence[tuple[int, int | None]]) -> None:
    """Refuses a DING by text message up front (409 `ding_sms_quota`) when its text messages
    do not fit the monthly SMS quota of their organisation (`delivery.quotas`), rather than
    sending some and logging the rest as failed. Recipients reached in one unit share its
    quota: one look-up per unit (its first recipient with a phone), one per person picked by
    name."""
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
            quota = await sms_quota(db, group[0], lock=True)
            if quota is None:
                continue
            quotas[quota.unit_id] = (quota.limit, quota.left)
            need[quota.unit_id] = need.get(quota.unit_id, 0) + len(group)
    for unit_id, n in need.items():
        limit, left = quotas[unit_id]
        if n > left:
            raise Conflict("ding_sms_quota", count=n, limit=limit, left=left)


# --- sending ---------------------------------------------------------------------------------


def _minute(at: datetime) -> datetime:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).replace(second=0, microsecond=0)


async def send(
    db: AsyncSession, actor: Actor, scope: Scope, data: DingCreate
) -> tuple[DingOut, bool]:
    """Sends a DING now or schedules it for its minute; (the DING, whether it is new). A retry
    with the same `client_id` answers the first one and sends nothing again."""
    require_sender(scope)
    earlier = (
        await db.execute(
            select(DingMessage).where(
                DingMessage.sender_id == actor.id, DingMessage.client_id == data.client_id
            )
        )
    ).scalar()
    if earlier is not None:
        return await _out(db, earlier), False
    now = utcnow()
    send_at = _minute(data.send_at) if data.send_at is not None else None
    if send_at is not None and send_at <= now:
        raise Invalid("ding_time_past", errors=[{"field": "send_at"}])
    recipients = await resolve_audience(db, scope, data)
    if "sms" in data.channels:
        await check_sms_quota(db, recipients)
    msg = DingMessage(
        sender_id=actor.id,
        client_id=data.client_id,
        body=data.body,
        channels=sorted(set(data.channels)),
        audience={
            "people": list(dict.fromkeys(data.people)),
            "units": [u.model_dump() for u in data.units],
        },
        recipient_count=len(recipients),
        send_at=send_at,
        created_at=now,
    )
    db.add(msg)
    await db.flush()
    rows = [
        {"message_id": msg.id, "recipient_id": pid, "unit_id": uid, "escalation_step": 0}
        for pid, uid in recipients
    ]
    for i in range(0, len(rows), BATCH):
        await db.execute(insert(Ding), rows[i : i + BATCH])
    if send_at is None:
        await go_out(db, msg, now)
    else:
        await enqueue(db, SEND, {"message": msg.id}, run_at=send_at, key=f"{SEND}:{msg.id}")
    return await _out(db, msg), True


async def _unconfirmed(db: AsyncSession, message_id: int) -> list[int]:
    rows = await db.execute(
        select(Ding.recipient_id).where(Ding.message_id == message_id, Ding.confirmed_at.is_(None))
    )
    return list(rows.scalars())


async def _alert(db: AsyncSession, msg: DingMessage, people: Sequence[int]) -> None:
    """The card to `people`'s devices now, and, on the channels the sender chose, a
    `ding.deliver` job in the same transaction that queues the text messages and emails (a
    request that DINGs 1,000 people by SMS does not wait for 1,000 delivery rows: the card
    goes out at once, and whoever confirms before the job runs gets no text message)."""
    assert msg.sent_at is not None
    sender = await person_refs(db, {msg.sender_id} if msg.sender_id else set())
    alert = DingAlert(
        id=msg.id,
        sender=sender.get(msg.sender_id) if msg.sender_id else None,
        body=msg.body,
        sent_at=msg.sent_at,
        confirmed_at=None,
    )
    tell(db, DingAlerted(ding=alert), people)
    if msg.channels:
        await enqueue(
            db,
            DELIVER,
            {"message": msg.id, "round": msg.reminders},
            key=f"{DELIVER}:{msg.id}:{msg.reminders}",
        )


async def deliver(db: AsyncSession, message_id: int) -> int:
    """The `ding.deliver` job: a text message and/or an email (the DING's channels) to each
    recipient who has not confirmed yet and has a phone / an email address, through
    `delivery.service.queue_delivery`; none for a recalled DING. Returns how many."""
    msg = await db.get(DingMessage, message_id)
    if msg is None or msg.recalled_at is not None or msg.sent_at is None:
        return 0
    people = await _unconfirmed(db, msg.id)
    refs = await person_refs(db, {msg.sender_id} if msg.sender_id else set())
    name = refs[msg.sender_id].name if msg.sender_id in refs else ""
    text = t("ding_delivery_text", sender=name, body=msg.body)
    subject = t("ding_delivery_subject", sender=name)
    queued = 0
    for i in range(0, len(people), BATCH):
        found = await db.execute(
            select(Person.id, Person.phone, Person.email).where(
                Person.id.in_(people[i : i + BATCH])
            )
        )
        for pid, phone, email in found:
            if "sms" in msg.channels and phone:
                await queue_delivery(
                    db, channel="sms", address=phone, body=text, purpose="ding", person_id=pid
                )
                queued += 1
            if "email" in msg.channels and email:
                await queue_delivery(
                    db,
                    channel="email",
                    address=email,
                    body=text,
                    subject=subject,
                    purpose="ding",
                    person_id=pid,
                )
                queued += 1
    return queued


async def go_out(db: AsyncSession, msg: DingMessage, now: datetime) -> None:
    """The DING reaches its recipients now (at once, or at its minute)."""
    msg.sent_at = now
    await db.flush()
    people = await _unconfirmed(db, msg.id)
    await _alert(db, msg, people)
    if msg.sender_id is not None:
        tell(db, DingChanged(ding_id=msg.id), [msg.sender_id])


async def send_scheduled(db: AsyncSession, message_id: int, now: datetime) -> None:
    """The `ding.send` job: a scheduled DING goes out, unless it was recalled (or already
    went: a job that runs again does nothing twice)."""
    msg = await db.get(DingMessage, message_id)
    if msg is None or msg.sent_at is not None or msg.recalled_at is not None:
        return
    await go_out(db, msg, now)


# --- the sender's views ----------------------------------------------------------------------


async def _counts(db: AsyncSession, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(total, confirmed) per DING."""
    if not ids:
        return {}
    rows = await db.execute(
        select(Ding.message_id, func.count(Ding.id), func.count(Ding.confirmed_at))
        .where(Ding.message_id.in_(ids))
        .group_by(Ding.message_id)
    )
    return {m: (int(n), int(c)) for m, n, c in rows}


def _next_remind(msg: DingMessage, pending: int) -> datetime | None:
    if msg.sent_at is None or msg.recalled_at is not None or pending == 0:
        return None
    last = max(msg.sent_at, msg.reminded_at or msg.sent_at)
    return last + REMIND_EVERY


def _shape(msg: DingMessage, sender: Any, total: int, confirmed: int) -> dict[str, Any]:
    return {
        "id": msg.id,
        "body": msg.body,
        "sender": sender,
        "channels": list(msg.channels or []),
        "created_at": msg.created_at,
        "send_at": msg.send_at,
        "sent_at": msg.sent_at,
        "recalled_at": msg.recalled_at,
        "reminded_at": msg.reminded_at,
        "reminders": msg.reminders,
        "next_remind_at": _next_remind(msg, total - confirmed),
        "total": total,
        "confirmed": confirmed,
    }


async def _out(db: AsyncSession, msg: DingMessage) -> DingOut:
    total, confirmed = (await _counts(db, [msg.id])).get(msg.id, (0, 0))
    refs = await person_refs(db, {msg.sender_id} if msg.sender_id else set())
    return DingOut(**_shape(msg, refs.get(msg.sender_id or 0), total, confirmed))


async def _own(db: AsyncSession, actor: Actor, ding_id: int) -> DingMessage:
    """One's own DING, or 404 alike for missing and someone else's."""
    msg = await db.get(DingMessage, ding_id)
    if msg is None or msg.sender_id != actor.id:
        raise NotFound("ding")
    return msg


async def list_sent(
    db: AsyncSession, actor: Actor, cursor: str | None, limit: int
) -> Page[DingOut]:
    """One's own DINGs, newest first, with how many confirmed."""
    stmt = (
        select(DingMessage)
        .where(DingMessage.sender_id == actor.id)
        .order_by(DingMessage.id.desc())
        .limit(limit + 1)
    )
    after = decode_cursor(cursor, int)
    if after is not None:
        stmt = stmt.where(DingMessage.id < after[0])
    msgs = list((await db.execute(stmt)).scalars())
    more = len(msgs) > limit
    msgs = msgs[:limit]
    counts = await _counts(db, [m.id for m in msgs])
    refs = await person_refs(db, {actor.id})
    items = []
    for m in msgs:
        total, confirmed = counts.get(m.id, (0, 0))
        items.append(DingOut(**_shape(m, refs.get(actor.id), total, confirmed)))
    return Page(items=items, next_cursor=encode_cursor([msgs[-1].id]) if more and msgs else None)


async def detail(db: AsyncSession, actor: Actor, ding_id: int) -> DingDetail:
    """One's DING with who confirmed and who has not, grouped by the unit they were chosen
    through (units in the order chosen, people picked by name last); guardians named as their
    child's parent."""
    msg = await _own(db, actor, ding_id)
    rows = list(
        await db.execute(
            select(Ding.recipient_id, Ding.unit_id, Ding.confirmed_at)
            .where(Ding.message_id == msg.id)
            .order_by(Ding.id)
        )
    )
    refs = await person_refs(
        db, {r[0] for r in rows} | ({msg.sender_id} if msg.sender_id else set())
    )
    unit_ids = {r[1] for r in rows if r[1] is not None}
    names: dict[int, str] = {}
    if unit_ids:
        # A class with its grade ("一年级 / 1班"): two schools' 1班 stay apart.
        paths = dict(
            (await db.execute(select(Unit.id, Unit.path).where(Unit.id.in_(unit_ids)))).all()
        )
        along = await path_names(db, paths.values())
        names = {uid: " / ".join(along[path][-2:]) for uid, path in paths.items()}
    groups: dict[int | None, DingGroup] = {}
    total = confirmed = 0
    for pid, uid, at in rows:
        ref = refs.get(pid)
        if ref is None:
            continue
        g = groups.get(uid)
        if g is None:
            g = groups[uid] = DingGroup(
                unit_id=uid, unit_name=names.get(uid) if uid else None, confirmed=[], pending=[]
            )
        (g.confirmed if at else g.pending).append(RecipientOut(person=ref, confirmed_at=at))
        total += 1
        confirmed += 1 if at else 0
    for g in groups.values():
        g.confirmed.sort(key=lambda r: r.confirmed_at or datetime.min.replace(tzinfo=UTC))
    ordered = [g for k, g in groups.items() if k is not None] + (
        [groups[None]] if None in groups else []
    )
    sender = refs.get(msg.sender_id) if msg.sender_id else None
    return DingDetail(**_shape(msg, sender, total, confirmed), groups=ordered)


async def count_waiting(db: AsyncSession, person_id: int) -> int:
    """How many of one's DINGs (sent, not recalled) someone has not confirmed yet."""
    open_one = exists().where(Ding.message_id == DingMessage.id, Ding.confirmed_at.is_(None))
    n = await db.scalar(
        select(func.count())
        .select_from(DingMessage)
        .where(
            DingMessage.sender_id == person_id,
            DingMessage.sent_at.is_not(None),
            DingMessage.recalled_at.is_(None),
            open_one,
        )
    )
    return int(n or 0)


# --- reminding and recalling -----------------------------------------------------------------


async def remind(db: AsyncSession, actor: Actor, ding_id: int) -> DingOut:
    """Alerts the recipients who have not confirmed again, on every channel the DING used; at
    most once per 5 minutes after the last alert (429 `ding_remind_too_soon` with the time
    left)."""
    msg = await _own(db, actor, ding_id)
    if msg.recalled_at is not None:
        raise Conflict("ding_recalled")
    if msg.sent_at is None:
        raise Conflict("ding_not_sent")
    people = await _unconfirmed(db, msg.id)
    if not people:
        raise Conflict("ding_all_confirmed")
    now = utcnow()
    due = _next_remind(msg, len(people))
    if due is not None and due > now:
        seconds = max(1, math.ceil((due - now).total_seconds()))
        minutes, rest = divmod(seconds, 60)
        raise Problem(
            "ding_remind_too_soon",
            429,
            headers={"Retry-After": str(seconds)},
            minutes=minutes,
            seconds=rest,
        )
    if "sms" in (msg.channels or []):
        units = dict(
            (
                await db.execute(
                    select(Ding.recipient_id, Ding.unit_id).where(
                        Ding.message_id == msg.id, Ding.confirmed_at.is_(None)
                    )
                )
            ).all()
        )
        await check_sms_quota(db, [(p, units.get(p)) for p in people])
    msg.reminded_at = now
    msg.reminders += 1
    await db.flush()
    await _alert(db, msg, people)
    tell(db, DingChanged(ding_id=msg.id), [actor.id])
    return await _out(db, msg)


async def recall(db: AsyncSession, actor: Actor, ding_id: int) -> DingOut:
    """Takes the DING back: the cards of those who have not confirmed go away (a scheduled one
    never goes out). Again is the same; after everyone confirmed, 409 `ding_all_confirmed`."""
    msg = await _own(db, actor, ding_id)
    if msg.recalled_at is not None:
        return await _out(db, msg)
    people = await _unconfirmed(db, msg.id)
    if msg.sent_at is not None and not people:
        raise Conflict("ding_all_confirmed")
    msg.recalled_at = utcnow()
    await db.flush()
    tell(db, DingRecalled(ding_id=msg.id), [*(people if msg.sent_at else []), actor.id])
    return await _out(db, msg)


# --- the recipient's side --------------------------------------------------------------------


def _live() -> list[Any]:
    return [DingMessage.sent_at.is_not(None), DingMessage.recalled_at.is_(None)]


async def pending(db: AsyncSession, actor: Actor) -> list[DingAlert]:
    """The DINGs one has not confirmed yet (sent, not recalled), oldest first (at most 100)."""
    rows = list(
        await db.execute(
            select(DingMessage)
            .join(Ding, and_(Ding.message_id == DingMessage.id, Ding.recipient_id == actor.id))
            .where(Ding.confirmed_at.is_(None), *_live())
            .order_by(DingMessage.sent_at, DingMessage.id)
            .limit(100)
        )
    )
    msgs = [r[0] for r in rows]
    refs = await person_refs(db, {m.sender_id for m in msgs if m.sender_id})
    out = []
    for m in msgs:
        assert m.sent_at is not None
        out.append(
            DingAlert(
                id=m.id,
                sender=refs.get(m.sender_id) if m.sender_id else None,
                body=m.body,
                sent_at=m.sent_at,
                confirmed_at=None,
            )
        )
    return out


async def confirm(db: AsyncSession, actor: Actor, ding_id: int) -> DingAlert:
    """One confirms a DING for them: their other devices stop alerting and the sender sees it.
    Again is the same (nothing told twice); a recalled DING: 409 `ding_recalled`."""
    msg = await db.get(DingMessage, ding_id)
    row = (
        await db.execute(
            select(Ding).where(Ding.message_id == ding_id, Ding.recipient_id == actor.id)
        )
    ).scalar()
    if msg is None or row is None or msg.sent_at is None:
        raise NotFound("ding")
    if row.confirmed_at is None:
        if msg.recalled_at is not None:
            raise Conflict("ding_recalled")
        now = utcnow()
        done = await db.execute(
            update(Ding)
            .where(Ding.id == row.id, Ding.confirmed_at.is_(None))
            .values(confirmed_at=now)
            .execution_options(synchronize_session=False)
        )
        await db.refresh(row)
        if getattr(done, "rowcount", 0) == 1:
            total, confirmed = (await _counts(db, [msg.id])).get(msg.id, (0, 0))
            event = DingConfirmed(
                ding_id=msg.id,
                person_id=actor.id,
                confirmed_at=now,
                confirmed=confirmed,
                total=total,
            )
            tell(db, event, [actor.id, *([msg.sender_id] if msg.sender_id else [])])
    refs = await person_refs(db, {msg.sender_id} if msg.sender_id else set())
    assert row.confirmed_at is not None
    return DingAlert(
        id=msg.id,
        sender=refs.get(msg.sender_id) if msg.sender_id else None,
        body=msg.body,
        sent_at=msg.sent_at,
        confirmed_at=row.confirmed_at,
    )
