"""Queueing deliveries, sending them (the `delivery.send` job), and the log admins read."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.core.schemas import Page, decode_cursor, encode_cursor
from bellwork.delivery.models import FAILED, OUTBOX, QUEUED, SENT, SMS, Delivery
from bellwork.delivery.providers import ProviderError, provider_for
from bellwork.delivery.quotas import sms_quota
from bellwork.delivery.schemas import DeliveryOut
from bellwork.jobs import enqueue
from bellwork.runtime import runtime_of

SEND = "delivery.send"
MAX_ATTEMPTS = 5


def backoff(attempt: int) -> timedelta:
    """Waits between tries of one delivery: 30 s, 2 min, 8 min, 32 min."""
    return timedelta(seconds=30 * 4 ** (attempt - 1))


async def queue_delivery(
    db: AsyncSession,
    *,
    channel: str,
    address: str,
    body: str,
    purpose: str,
    subject: str | None = None,
    person_id: int | None = None,
    params: dict[str, str] | None = None,
) -> Delivery:
    """Adds a delivery and its job to the caller's transaction (sent once that commits).
    `params` are the variables of the purpose's text-message template, where the provider
    sends templates rather than text (aliyun.py, "Templates"): `{"code": "123456"}`.
    A text message to a person counts against their organisation's monthly SMS quota
    (quotas.py); over it, the delivery is written as failed, with the reason, and not sent."""
    quota = None
    if channel == SMS and person_id is not None:
        quota = await sms_quota(db, person_id, lock=True)
    d = Delivery(
        channel=channel,
        address=address,
        body=body,
        params=params,
        purpose=purpose,
        subject=subject,
        person_id=person_id,
        status=QUEUED,
        quota_unit_id=quota.unit_id if quota else None,
    )
    if quota is not None and quota.left <= 0:
        d.status, d.error = FAILED, quota.reason
        db.add(d)
        return d
    db.add(d)
    await db.flush()
    await enqueue(db, SEND, {"delivery": d.id}, key=f"{SEND}:{d.id}:0")
    return d


async def send_delivery(db: AsyncSession, delivery_id: int, now: datetime) -> None:
    """Sends one queued delivery: to its channel's provider, or to the outbox. A provider's
    failure is written on the delivery and tried again later (a job of its own, so the
    delivery shows each attempt's reason), up to MAX_ATTEMPTS; a permanent one at once."""
    d = await db.get(Delivery, delivery_id)
    if d is None or d.status != QUEUED:
        return
    provider = provider_for(runtime_of(db).settings, d.channel)
    d.attempts += 1
    if provider is None:
        d.status, d.provider, d.sent_at = OUTBOX, "outbox", now
        return
    d.provider = provider.name
    try:
        reference = await provider.send(d)
    except ProviderError as exc:
        d.error = exc.reason
        if exc.permanent or d.attempts >= MAX_ATTEMPTS:
            d.status = FAILED
            return
        await enqueue(
            db,
            SEND,
            {"delivery": d.id},
            run_at=now + backoff(d.attempts),
            key=f"{SEND}:{d.id}:{d.attempts}",
        )
        return
    d.status, d.sent_at, d.error, d.reference = SENT, now, None, reference


async def list_deliveries(
    db: AsyncSession,
    channel: str | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> Page[DeliveryOut]:
    """The delivery log, newest first, for admins: what was sent, kept in the outbox or
    failed, and why (the API lets installation admins read it)."""
    stmt = select(Delivery).order_by(Delivery.id.desc()).limit(limit + 1)
    if channel:
        stmt = stmt.where(Delivery.channel == channel)
    if status:
        stmt = stmt.where(Delivery.status == status)
    after = decode_cursor(cursor, int)
    if after is not None:
        stmt = stmt.where(Delivery.id < after[0])
    rows = list((await db.execute(stmt)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[DeliveryOut.model_validate(d, from_attributes=True) for d in rows],
        next_cursor=encode_cursor([rows[-1].id]) if more and rows else None,
    )
