"""Web Push: one's devices (subscribe, list, remove), the public action other domains call
(`notify`), and the `push.send` job that sends (docs/push.md).

How a push travels:
1. A domain calls `notify(db, people, category, message)` in its own transaction (a DING
   going out, a chat message that mentions someone). It keeps only the people who have a
   device and have not turned the category off (two indexed queries per 500 people) and
   enqueues one `push.send` job per 100 of them: a DING to 1,000 guardians writes at most
   10 job rows, and none for those without a device. A rollback sends nothing.
2. The job (`deliver`) reads those people's subscriptions and writes its own retry — a
   `push.send` job for the same subscriptions, due after the backoff — in its transaction,
   then commits. Only after the commit, holding no database lock (on SQLite a job holds the
   node's one write gate while its transaction is open: a push service that hangs must not
   stop every other write), it encrypts and POSTs each push (`webpush.send_all`).
3. Then one short transaction records what happened: subscriptions the push service says
   are gone (404/410) are deleted; those it took get `last_sent_at`; those it refused get
   `failed_at` and the reason. The retry is taken back (`jobs.cancel`) when nothing is left
   to try, or narrowed to the subscriptions that got no answer, a 5xx or a 429. A node that
   dies between commit and record leaves the retry queued: pushes are sent at least once
   (the tag makes a repeat replace the first notification).
4. Tries: 1 + 4 retries after 30 s, 2, 8 and 32 minutes; after the last, the subscription
   keeps its last error. Nothing here ever holds up the in-app card, text messages or email:
   those never wait for this job.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import orjson
from sqlalchemy import delete, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.core.errors import Invalid, NotFound
from bellwork.core.i18n import SUPPORTED, current_locale, t
from bellwork.db.base import utcnow
from bellwork.db.session import on_commit, writing
from bellwork.jobs import cancel, enqueue
from bellwork.preferences.models import Preferences
from bellwork.push import vapid, webpush
from bellwork.push.models import PushSubscription
from bellwork.push.schemas import (
    CATEGORIES,
    Category,
    DeviceOut,
    PushMessage,
    SubscriptionIn,
)
from bellwork.runtime import Runtime, runtime_of

log = logging.getLogger("bellwork.push")

SEND = "push.send"
PEOPLE_PER_JOB = 100
BATCH = 500
MAX_TRIES = 5
BODY_CHARS = 300
# How long a push service keeps a push for a device that is offline (RFC 8030 TTL).
TTL = {"ding": 86_400, "notice": 86_400, "mention": 43_200, "direct": 43_200}
# RFC 8030 Urgency: a phone in power saving wakes for "high" only.
URGENCY = {"ding": "high", "notice": "normal", "mention": "normal", "direct": "normal"}
SETTING = {
    "ding": Preferences.push_ding,
    "notice": Preferences.push_notice,
    "mention": Preferences.push_mention,
    "direct": Preferences.push_direct,
}


def backoff(tried: int) -> timedelta:
    """Wait before the next try after `tried` tries: 30 s, 2 min, 8 min, 32 min."""
    return timedelta(seconds=30 * 4 ** (tried - 1))


# --- one's devices ---------------------------------------------------------------------------


def _out(s: PushSubscription) -> DeviceOut:
    return DeviceOut(
        id=s.id,
        label=s.label,
        endpoint_host=urlsplit(s.endpoint).hostname or "",
        created_at=s.created_at,
        last_sent_at=s.last_sent_at,
        failed_at=s.failed_at,
        last_error=s.last_error,
    )


async def public_key(runtime: Runtime) -> str:
    """The VAPID public key browsers subscribe with (made on first use, in a transaction of
    its own: this runs for a GET, which holds no write lock)."""
    settings = runtime.settings
    if settings.vapid_private_key is not None:
        return vapid.parse_private(settings.vapid_private_key.get_secret_value()).public
    async with runtime.sessionmaker() as db:
        found = await vapid.stored(db)
    if found is not None:
        return found.public
    async with writing(runtime.sessionmaker, runtime.write_gate) as db:
        return (await vapid.keys(db, settings)).public


async def subscribe(
    db: AsyncSession, person_id: int, data: SubscriptionIn
) -> tuple[DeviceOut, bool]:
    """This browser receives one's pushes: (the device, whether it is new). The same endpoint
    again updates its keys and label — under whoever subscribes it now (one browser, one
    person: the one logged in there). A push service not on `push_hosts`: 422
    `push_endpoint_refused`."""
    settings = runtime_of(db).settings
    if not webpush.allowed(data.endpoint, settings.push_hosts):
        raise Invalid(
            "push_endpoint_refused",
            host=urlsplit(data.endpoint).hostname or "",
            errors=[{"field": "endpoint"}],
        )
    locale = current_locale.get()
    found = (
        await db.execute(
            select(PushSubscription)
            .where(PushSubscription.endpoint == data.endpoint)
            .with_for_update()
        )
    ).scalar()
    if found is None:
        sub = PushSubscription(
            person_id=person_id,
            endpoint=data.endpoint,
            p256dh=data.keys.p256dh,
            auth=data.keys.auth,
            label=data.label.strip(),
            locale=locale,
            created_at=utcnow(),
        )
        db.add(sub)
        await db.flush()
        return _out(sub), True
    found.person_id = person_id
    found.p256dh, found.auth = data.keys.p256dh, data.keys.auth
    found.label = data.label.strip() or found.label
    found.locale = locale
    found.failed_at = found.last_error = None
    await db.flush()
    return _out(found), False


async def unsubscribe(db: AsyncSession, person_id: int, endpoint: str) -> None:
    """This browser stops receiving one's pushes (signing out, push turned off). Again, or an
    endpoint one never subscribed: nothing happens."""
    await db.execute(
        delete(PushSubscription).where(
            PushSubscription.endpoint == endpoint, PushSubscription.person_id == person_id
        )
    )


async def devices(db: AsyncSession, person_id: int) -> list[DeviceOut]:
    """One's devices that receive pushes, newest first."""
    rows = await db.execute(
        select(PushSubscription)
        .where(PushSubscription.person_id == person_id)
        .order_by(PushSubscription.id.desc())
    )
    return [_out(s) for s in rows.scalars()]


async def remove_device(db: AsyncSession, person_id: int, device_id: int) -> None:
    """One of one's devices stops receiving pushes; 404 alike for missing and not one's."""
    done = await db.execute(
        delete(PushSubscription).where(
            PushSubscription.id == device_id, PushSubscription.person_id == person_id
        )
    )
    if not getattr(done, "rowcount", 0):
        raise NotFound("device")


async def forget_devices(db: AsyncSession, person_id: int) -> None:
    """None of one's devices receives pushes any more (signed out everywhere)."""
    await db.execute(delete(PushSubscription).where(PushSubscription.person_id == person_id))


# --- the public action -----------------------------------------------------------------------


async def reachable(db: AsyncSession, people: Sequence[int], category: Category) -> list[int]:
    """Those of `people` who have a device and have not turned `category` off, in order."""
    setting = SETTING[category]
    found: set[int] = set()
    for i in range(0, len(people), BATCH):
        chunk = people[i : i + BATCH]
        rows = await db.execute(
            select(PushSubscription.person_id)
            .outerjoin(Preferences, Preferences.person_id == PushSubscription.person_id)
            .where(
                PushSubscription.person_id.in_(chunk),
                func.coalesce(setting, true()) == true(),
            )
            .distinct()
        )
        found.update(rows.scalars())
    return [p for p in people if p in found]


async def notify(
    db: AsyncSession,
    person_ids: Iterable[int],
    category: Category,
    message: PushMessage,
    *,
    ttl: int | None = None,
    urgency: str | None = None,
) -> int:
    """Pushes `message` to the devices of `person_ids` who let `category` through (one's
    settings: `push_ding`, `push_notice`, `push_mention`, `push_direct`), in the caller's
    transaction: nothing goes if it rolls back. Categories: "ding", "notice", "mention",
    "direct". A `close` message (type "close", the tag of what to take away) goes under the
    category of what it closes. `ttl` and `urgency` override the category's (a call rings
    for seconds: its push is urgent and worthless a minute later). Returns how many people
    were reached (have a device).

        await push.service.notify(db, [7, 8], "notice", PushMessage(
            type="notice", title="push_notice_title", params={"title": notice.title},
            body=notice.summary, url=f"/notices/{notice.id}", tag=f"bw-notice-{notice.id}"))
    """
    if category not in CATEGORIES:
        raise ValueError(f"unknown push category {category!r}")
    people = await reachable(db, list(dict.fromkeys(person_ids)), category)
    for i in range(0, len(people), PEOPLE_PER_JOB):
        await enqueue(
            db,
            SEND,
            {
                "people": people[i : i + PEOPLE_PER_JOB],
                "message": message.model_dump(),
                "ttl": ttl if ttl is not None else TTL[category],
                "urgency": urgency or URGENCY[category],
                "try": 1,
            },
        )
    return len(people)


# --- the job ---------------------------------------------------------------------------------


def render(message: PushMessage, locale: str) -> bytes:
    """What the service worker gets, in `locale`: {type, title, body, url, tag}."""
    loc = locale if locale in SUPPORTED else "zh-CN"
    body = t(message.body_key, loc, **message.params) if message.body_key else message.body
    if len(body) > BODY_CHARS:
        body = body[: BODY_CHARS - 1] + "…"
    title = t(message.title, loc, **message.params) if message.title else ""
    return orjson.dumps(
        {"type": message.type, "title": title, "body": body, "url": message.url, "tag": message.tag}
    )


async def deliver(db: AsyncSession, job_id: int, payload: dict[str, Any], now: datetime) -> int:
    """The `push.send` job: pushes to the devices of `payload["people"]` (a retry: to the
    subscriptions `payload["subs"]`). Queues its own retry, then sends after the commit
    (module docstring). Returns how many pushes it will send."""
    stmt = select(PushSubscription)
    if payload.get("subs") is not None:
        stmt = stmt.where(PushSubscription.id.in_([int(s) for s in payload["subs"]]))
    else:
        stmt = stmt.where(PushSubscription.person_id.in_([int(p) for p in payload["people"]]))
    subs = list((await db.execute(stmt.order_by(PushSubscription.id))).scalars())
    if not subs:
        return 0
    runtime = runtime_of(db)
    settings = runtime.settings
    keys = await vapid.keys(db, settings)
    message = PushMessage.model_validate(payload["message"])
    tried = int(payload.get("try", 1))
    retry_key = f"{SEND}:retry:{job_id}"
    base = {k: payload[k] for k in ("message", "ttl", "urgency")}
    if tried < MAX_TRIES:
        # Due only once this try has surely ended (every push given its timeout): while it
        # sends, its retry must not start sending the same pushes again. `record` replaces
        # it with the retry of what failed, at the plain backoff.
        rounds = -(-len(subs) // webpush.IN_FLIGHT)
        allowance = timedelta(seconds=settings.push_timeout * rounds + 30)
        await enqueue(
            db,
            SEND,
            {**base, "subs": [s.id for s in subs], "try": tried + 1},
            run_at=now + backoff(tried) + allowance,
            key=retry_key,
        )
    targets = [
        webpush.Target(s.id, s.endpoint, s.p256dh, s.auth, render(message, s.locale)) for s in subs
    ]

    async def send() -> None:
        try:
            outcomes = await webpush.send_all(
                targets,
                keys,
                vapid.subject(settings),
                ttl=int(payload["ttl"]),
                urgency=str(payload["urgency"]),
                topic=message.tag,
                timeout=settings.push_timeout,
            )
            async with writing(runtime.sessionmaker, runtime.write_gate) as rec:
                await record_outcomes(rec, outcomes, now, tried, retry_key, base)
        except Exception:
            # The retry queued with the job stays: it tries them all again.
            log.exception("push job %d: sending failed; its retry will try again", job_id)

    on_commit(db, send)
    return len(targets)


async def record_outcomes(
    db: AsyncSession,
    outcomes: Sequence[webpush.Outcome],
    now: datetime,
    tried: int,
    retry_key: str,
    base: dict[str, Any],
) -> None:
    """What became of a try: gone subscriptions deleted, the others' last push or error kept,
    and the retry narrowed to those worth trying again (or taken back)."""
    gone = [o.id for o in outcomes if o.gone]
    sent = [o.id for o in outcomes if o.ok]
    again = [o.id for o in outcomes if o.retry]
    failed = [o for o in outcomes if not o.ok and not o.gone]
    for i in range(0, len(gone), BATCH):
        chunk = gone[i : i + BATCH]
        await db.execute(delete(PushSubscription).where(PushSubscription.id.in_(chunk)))
    for i in range(0, len(sent), BATCH):
        await db.execute(
            update(PushSubscription)
            .where(PushSubscription.id.in_(sent[i : i + BATCH]))
            .values(last_sent_at=now, failed_at=None, last_error=None)
        )
    last = tried >= MAX_TRIES
    for o in failed:
        error = o.error or f"{o.status}"
        if o.retry:
            error = f"gave up after {tried} tries: {error}" if last else f"try {tried}: {error}"
        await db.execute(
            update(PushSubscription)
            .where(PushSubscription.id == o.id)
            .values(failed_at=now, last_error=error[:500])
        )
    if last:
        if again:
            log.warning("push: %d pushes failed after %d tries", len(again), tried)
        return
    await cancel(db, retry_key)
    if again:
        await enqueue(
            db,
            SEND,
            {**base, "subs": again, "try": tried + 1},
            run_at=now + backoff(tried),
            key=retry_key,
        )
