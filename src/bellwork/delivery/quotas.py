"""Monthly SMS and voice-call quotas of organisations (issue 11, item 4).

A unit may set `sms_quota_month` and `voice_quota_month` (whole numbers ≥ 0) in its settings;
each counts its own channel, by the same rules (below, said of text messages); like every unit
setting it holds for its whole subtree unless a unit below sets its own (org/settings.py).

- **Whose quota**: a text message to a person counts against the unit whose setting applies
  to them — of the units they belong to, the nearest unit above (or at) one of them that sets
  a quota (`org.settings.person_setting`). The delivery keeps that unit (`quota_unit_id`), so
  a person who moves later does not move last month's count. Text messages to no person (an
  address only) and email are not counted.
- **What counts**: the unit's text messages created this calendar month, in the unit's time
  zone (setting `time_zone`, Asia/Shanghai by default), that did not fail — queued, sent, and
  kept in the outbox (what would have been sent). One refused by the provider or by the
  quota itself costs nothing.
- **Over the quota**: `queue_delivery` still writes the delivery, as `failed` with the reason
  "SMS quota of N for this month reached" and no job — the log shows who did not get it.
  Callers that would rather refuse up front ask `sms_quota_left(db, person_id)` (None: no
  quota applies) or call `require_sms_quota`, which raises `SmsQuotaReached` (409).
- On PostgreSQL the check takes a row lock on the quota's unit (`FOR NO KEY UPDATE`, which
  leaves the unit readable and referable) until the transaction ends, so two requests at once
  cannot both take the last message; SQLite writes one transaction at a time anyway.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.core.errors import Conflict
from bellwork.db.base import utcnow
from bellwork.delivery.models import FAILED, SMS, VOICE, Delivery
from bellwork.org.models import Unit
from bellwork.org.settings import person_setting, unit_time_zone

SMS_QUOTA = "sms_quota_month"
VOICE_QUOTA = "voice_quota_month"
QUOTA_SETTING = {SMS: SMS_QUOTA, VOICE: VOICE_QUOTA}
log = logging.getLogger("bellwork.delivery")


class SmsQuotaReached(Conflict):
    def __init__(self, limit: int) -> None:
        super().__init__("sms_quota_reached", limit=limit)


@dataclass(frozen=True)
class SmsQuota:
    """A unit's monthly quota of one channel (`sms` or `voice`) and what was used of it."""

    unit_id: int
    limit: int
    used: int
    channel: str = SMS

    @property
    def left(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def reason(self) -> str:
        what = "SMS" if self.channel == SMS else "Voice call"
        return f"{what} quota of {self.limit} for this month reached"


async def month_start(db: AsyncSession, unit_id: int, now: datetime) -> datetime:
    """The start of `now`'s calendar month in the unit's time zone, in UTC."""
    tz = await unit_time_zone(db, unit_id)
    local = now.astimezone(tz).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return local.astimezone(UTC)


async def sms_quota(
    db: AsyncSession,
    person_id: int,
    now: datetime | None = None,
    *,
    lock: bool = False,
    channel: str = SMS,
) -> SmsQuota | None:
    """The monthly quota of `channel` (text messages; `voice`: calls) that applies to a
    person, with what was used of it this month; None where no unit of theirs (or above) sets
    one. `lock`: hold the quota's unit until the transaction ends (PostgreSQL), for a caller
    about to spend it."""
    setting = QUOTA_SETTING[channel]
    found = await person_setting(db, person_id, setting)
    if found is None:
        return None
    unit_id, value = found
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        log.warning("unit %s: %s=%r is not a whole number ≥ 0; ignored", unit_id, setting, value)
        return None
    if lock and db.get_bind().dialect.name == "postgresql":
        await db.execute(select(Unit.id).where(Unit.id == unit_id).with_for_update(key_share=True))
    since = await month_start(db, unit_id, now or utcnow())
    used = await db.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(
            Delivery.quota_unit_id == unit_id,
            Delivery.created_at >= since,
            Delivery.channel == channel,
            Delivery.status != FAILED,
        )
    )
    return SmsQuota(unit_id=unit_id, limit=value, used=int(used or 0), channel=channel)


async def sms_quota_left(
    db: AsyncSession, person_id: int, now: datetime | None = None
) -> int | None:
    """How many more text messages to this person this month fit their organisation's
    quota; None: no quota applies."""
    quota = await sms_quota(db, person_id, now)
    return None if quota is None else quota.left


def counted(channel: str) -> bool:
    """Whether deliveries on `channel` count against a monthly quota."""
    return channel in (SMS, VOICE)


async def require_sms_quota(db: AsyncSession, person_id: int, count: int = 1) -> None:
    """Refuses up front (409 `sms_quota_reached`) when `count` more text messages to this
    person do not fit their organisation's quota this month."""
    quota = await sms_quota(db, person_id)
    if quota is not None and quota.left < count:
        raise SmsQuotaReached(quota.limit)
