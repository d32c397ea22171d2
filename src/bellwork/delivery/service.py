"""Queueing deliveries, sending them (the `delivery.send` job), and the log admins read."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.core.schemas import Page, decode_cursor, encode_cursor
from bellwork.delivery.hooks import outcome_reported
from bellwork.delivery.models import DELIVERED, FAILED, OUTBOX, QUEUED, SENT, VOICE, Delivery
from bellwork.delivery.providers import (
    DELIVERED as REPORTED_DELIVERED,
)
from bellwork.delivery.providers import (
    NOT_DELIVERED,
    PENDING,
    Checking,
    Finding,
    ProviderError,
    provider_for,
)
from bellwork.delivery.quotas import counted, sms_quota
from bellwork.delivery.schemas import DeliveryOut
from bellwork.jobs import enqueue
from bellwork.runtime import runtime_of

SEND = "delivery.send"
CHECK = "delivery.check"
MAX_ATTEMPTS = 5
MAX_CHECKS = 5
SMS_CHECK_AFTER = timedelta(seconds=60)


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
    ding_id: int | None = None,
    ding_step: int | None = None,
) -> Delivery:
    """Adds a delivery and its job to the caller's transaction (sent once that commits).
    `params` are the variables of the purpose's text-message template, where the provider
    sends templates rather than text (aliyun.py, "Templates"): `{"code": "123456"}`.
    A text message to a person counts against their organisation's monthly SMS quota
    (quotas.py), a voice call against its voice quota; over it, the delivery is written as
    failed, with the reason, and not sent. `ding_id`, `ding_step`: the DING it carries and the
    escalation step that sent it (the DING's report)."""
    quota = None
    if counted(channel) and person_id is not None:
        quota = await sms_quota(db, person_id, lock=True, channel=channel)
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
        ding_id=ding_id,
        ding_step=ding_step,
    )
    if quota is not None and quota.left <= 0:
        d.status, d.error = FAILED, quota.reason
        db.add(d)
        return d
    db.add(d)
    await db.flush()
    await enqueue(db, SEND, {"delivery": d.id}, key=f"{SEND}:{d.id}:0")
    return d


async def send_delivery(
    db: AsyncSession, delivery_id: int, now: datetime, *, retried: bool = False
) -> None:
    """Sends one queued delivery: to its channel's provider, or to the outbox. A provider's
    failure is written on the delivery and tried again later (a job of its own, so the
    delivery shows each attempt's reason), up to MAX_ATTEMPTS; a permanent one at once, and
    the listeners hear of it (delivery/hooks.py). A provider that can report what became of
    what it took is asked later (`check_delivery`): for every call, and for text messages of
    a DING (its report).

    `retried`: this job ran before and was lost (its node killed while the provider answered),
    so the provider may have taken the delivery already. One that can look it up (`Finding`)
    is asked first, and a delivery it took is not sent again; with one that cannot (SMTP), the
    message may go twice in that rare case."""
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
        found = None
        if retried and isinstance(provider, Finding):
            found = await provider.find(d, d.created_at)
        # Taken by the lost try: sent, with the reference the provider's list gave (if any).
        reference = (found or None) if found is not None else await provider.send(d)
    except ProviderError as exc:
        d.error = exc.reason
        if exc.permanent or d.attempts >= MAX_ATTEMPTS:
            d.status = FAILED
            await db.flush()
            await outcome_reported(db, d, now)
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
    if isinstance(provider, Checking) and (d.channel == VOICE or d.ding_id is not None):
        await enqueue(
            db,
            CHECK,
            {"delivery": d.id, "round": 1},
            run_at=now + _check_after(db, d, 1),
            key=f"{CHECK}:{d.id}:1",
        )


def _check_after(db: AsyncSession, d: Delivery, round_: int) -> timedelta:
    """When to ask the provider what became of a delivery: a call after `voice_check_after`
    (it rings for a minute or so), a text message after a minute; later rounds wait longer."""
    if d.channel == VOICE:
        first = timedelta(seconds=runtime_of(db).settings.voice_check_after)
    else:
        first = SMS_CHECK_AFTER
    return first * round_


async def check_delivery(db: AsyncSession, delivery_id: int, round_: int, now: datetime) -> None:
    """The `delivery.check` job: asks the provider what became of a delivery it took (a text
    message's receipt, whether a call was answered) and writes it — `delivered` with the time,
    or `failed` with the provider's reason — then tells the listeners (delivery/hooks.py: a DING
    sends a text message instead of a call nobody answered). No outcome yet, or the provider
    did not answer: asked again later, MAX_CHECKS times in all, then left as `sent`."""
    d = await db.get(Delivery, delivery_id)
    if d is None or d.status != SENT:
        return
    provider = provider_for(runtime_of(db).settings, d.channel)
    if not isinstance(provider, Checking):
        return
    try:
        outcome = await provider.check(d)
    except ProviderError:
        outcome = None
    if outcome is None or outcome.state == PENDING:
        if round_ < MAX_CHECKS:
            await enqueue(
                db,
                CHECK,
                {"delivery": d.id, "round": round_ + 1},
                run_at=now + _check_after(db, d, round_ + 1),
                key=f"{CHECK}:{d.id}:{round_ + 1}",
            )
        return
    if outcome.state == REPORTED_DELIVERED:
        d.status, d.delivered_at = DELIVERED, outcome.at or now
    elif outcome.state == NOT_DELIVERED:
        d.status, d.error = FAILED, (outcome.reason or "not delivered")[:1000]
    else:
        return
    await db.flush()
    await outcome_reported(db, d, now)


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
