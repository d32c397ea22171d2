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
from bellwork.core.errors import Conflict, Invalid, NotFound, Problem
from bellwork.core.i18n import t
from bellwork.core.schemas import Page, decode_cursor, encode_cursor
from bellwork.db.base import utcnow
from bellwork.delivery.service import queue_delivery
from bellwork.ding import escalation, media
from bellwork.ding.audience import BATCH, check_quota, require_sender, resolve_audience
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
from bellwork.org.access import Scope
from bellwork.org.models import Person
from bellwork.org.units import unit_labels
from bellwork.push import service as push
from bellwork.push.messages import ding_close, ding_push

SEND = "ding.send"
DELIVER = "ding.deliver"
REMIND_EVERY = timedelta(minutes=5)
QUOTA_CHANNELS = ("sms", "voice")


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
    await require_sender(db, scope)
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
    files = await media.check(db, actor, data)
    recipients = await resolve_audience(db, actor, scope, data)
    for channel in QUOTA_CHANNELS:
        if channel in data.channels:
            await check_quota(db, recipients, channel)
    msg = DingMessage(
        sender_id=actor.id,
        client_id=data.client_id,
        body=data.body,
        channels=sorted(set(data.channels)),
        audience={
            "people": list(dict.fromkeys(data.people)),
            "units": [u.model_dump() for u in data.units],
            **({"unread_of": data.unread_of.model_dump()} if data.unread_of else {}),
            **(
                {"unfilled_of": data.unfilled_of.model_dump(mode="json")}
                if data.unfilled_of
                else {}
            ),
        },
        recipient_count=len(recipients),
        send_at=send_at,
        created_at=now,
        escalation=await escalation.policy_for(db, actor.id, [u.unit_id for u in data.units]),
    )
    db.add(msg)
    await db.flush()
    await media.take(db, msg, files, data.voice_duration_ms)
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


async def send_system(
    db: AsyncSession,
    *,
    client_id: str,
    body: str,
    recipients: Sequence[tuple[int, int | None]],
    channels: Sequence[str] = (),
) -> int | None:
    """A DING the installation sends on its own (an abnormal health check-in to the class
    teacher and the responders above it): no sender, so nobody's list shows it and nobody's
    rights are checked; the recipients are given, each with the unit they are reached in.
    Goes out now, in the caller's transaction. `client_id` makes it once: again is nothing.
    The DING's id, or None when nobody is left to tell."""
    people = dict(recipients)
    if not people:
        return None
    earlier = (
        await db.execute(
            select(DingMessage.id).where(
                DingMessage.sender_id.is_(None), DingMessage.client_id == client_id
            )
        )
    ).scalar()
    if earlier is not None:
        return int(earlier)
    now = utcnow()
    msg = DingMessage(
        sender_id=None,
        client_id=client_id,
        body=body[:500],
        channels=sorted(set(channels)),
        audience={"people": list(people)},
        recipient_count=len(people),
        created_at=now,
    )
    db.add(msg)
    await db.flush()
    rows = [
        {"message_id": msg.id, "recipient_id": pid, "unit_id": uid, "escalation_step": 0}
        for pid, uid in people.items()
    ]
    for i in range(0, len(rows), BATCH):
        await db.execute(insert(Ding), rows[i : i + BATCH])
    await go_out(db, msg, now)
    return msg.id


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
    alert = await media.card(db, msg)
    tell(db, DingAlerted(ding=alert), people)
    await push.notify(db, people, "ding", ding_push(msg.id, alert.sender, msg.body))
    if msg.channels:
        await enqueue(
            db,
            DELIVER,
            {"message": msg.id, "round": msg.reminders},
            key=f"{DELIVER}:{msg.id}:{msg.reminders}",
        )


async def deliver(db: AsyncSession, message_id: int) -> int:
    """The `ding.deliver` job: a text message, a voice call and/or an email (the DING's
    channels) to each recipient who has not confirmed yet and has a phone / an email address,
    through `delivery.service.queue_delivery` (each names the DING, for its report); none for a
    recalled DING. Returns how many."""
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
            for channel in QUOTA_CHANNELS:
                if channel in msg.channels and phone:
                    await queue_delivery(
                        db,
                        channel=channel,
                        address=phone,
                        body=text,
                        purpose="ding",
                        person_id=pid,
                        ding_id=msg.id,
                        ding_step=0,
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
                    ding_id=msg.id,
                    ding_step=0,
                )
                queued += 1
    return queued


async def go_out(db: AsyncSession, msg: DingMessage, now: datetime) -> None:
    """The DING reaches its recipients now (at once, or at its minute)."""
    msg.sent_at = now
    await db.flush()
    people = await _unconfirmed(db, msg.id)
    await _alert(db, msg, people)
    await escalation.schedule(db, msg, now)
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


def _shape(
    msg: DingMessage, sender: Any, total: int, confirmed: int, files: media.Media
) -> dict[str, Any]:
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
        "voice": files.voice,
        "attachment": files.attachment,
    }


async def _out(db: AsyncSession, msg: DingMessage) -> DingOut:
    total, confirmed = (await _counts(db, [msg.id])).get(msg.id, (0, 0))
    refs = await person_refs(db, {msg.sender_id} if msg.sender_id else set())
    files = await media.one(db, msg.id)
    return DingOut(**_shape(msg, refs.get(msg.sender_id or 0), total, confirmed, files))


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
    files = await media.of(db, [m.id for m in msgs])
    items = []
    for m in msgs:
        total, confirmed = counts.get(m.id, (0, 0))
        shape = _shape(m, refs.get(actor.id), total, confirmed, files.get(m.id, media.Media()))
        items.append(DingOut(**shape))
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
    names = await unit_labels(db, unit_ids)  # "一年级 / 1班": two schools' 1班 stay apart
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
    files = await media.one(db, msg.id)
    return DingDetail(**_shape(msg, sender, total, confirmed, files), groups=ordered)


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
    if any(c in (msg.channels or []) for c in QUOTA_CHANNELS):
        units = dict(
            (
                await db.execute(
                    select(Ding.recipient_id, Ding.unit_id).where(
                        Ding.message_id == msg.id, Ding.confirmed_at.is_(None)
                    )
                )
            ).all()
        )
        for channel in QUOTA_CHANNELS:
            if channel in (msg.channels or []):
                await check_quota(db, [(p, units.get(p)) for p in people], channel)
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
    if msg.sent_at is not None:
        await push.notify(db, people, "ding", ding_close(msg.id, "recalled"))
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
    files = await media.of(db, [m.id for m in msgs])
    out = []
    for m in msgs:
        assert m.sent_at is not None
        f = files.get(m.id, media.Media())
        out.append(
            DingAlert(
                id=m.id,
                sender=refs.get(m.sender_id) if m.sender_id else None,
                body=m.body,
                sent_at=m.sent_at,
                confirmed_at=None,
                voice=f.voice,
                attachment=f.attachment,
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
            await push.notify(db, [actor.id], "ding", ding_close(msg.id, "confirmed"))
    refs = await person_refs(db, {msg.sender_id} if msg.sender_id else set())
    files = await media.one(db, msg.id)
    assert row.confirmed_at is not None
    return DingAlert(
        id=msg.id,
        sender=refs.get(msg.sender_id) if msg.sender_id else None,
        body=msg.body,
        sent_at=msg.sent_at,
        confirmed_at=row.confirmed_at,
        voice=files.voice,
        attachment=files.attachment,
    )
