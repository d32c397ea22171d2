"""Escalation of DINGs not confirmed in time, and text messages instead of calls nobody answered
(docs/ding.md, "Escalation").

- **The policy** is the unit setting `ding_escalation` (`{"after_minutes": 10, "channels":
  ["sms", "voice"]}`, org/settings_schemas.EscalationPolicy) that applies to the sender — of
  the units they belong to, the nearest one setting it; an admin in no unit: the first unit
  chosen. It is copied onto the DING when it is sent (`DingMessage.escalation`), so a later
  change of the setting does not change DINGs already out.
- **Steps**: `after_minutes` after the DING went out, a `ding.escalate` job (keyed by DING and
  step: a platform job, once) takes everyone who has not confirmed, moves their
  `escalation_step` to the step and reaches them on the step's channel — `app` rings the card
  again, `sms` and `voice` queue a delivery naming the DING (`delivery.service.queue_delivery`,
  each its own job, so one channel's provider fault never holds up another) — then schedules
  the next step `after_minutes` later, until the channels run out. A DING recalled, or
  confirmed by everyone, stops at the next step. A quota that runs out on the way is no
  error: the delivery is logged `failed` with the reason ("Voice call quota of 100 for this
  month reached"), which the sender's report shows.
- **A call nobody answered** (the provider's report, `delivery.check`) is followed by a text
  message of the same DING to that person, unless they confirmed or it was recalled meanwhile
  (`fall_back`, a `delivery.hooks` listener).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.chat.shaping import person_refs
from bellwork.core.i18n import t
from bellwork.delivery.hooks import on_outcome
from bellwork.delivery.models import FAILED, SMS, VOICE, Delivery
from bellwork.delivery.service import queue_delivery
from bellwork.ding import media
from bellwork.ding.live import DingAlerted, DingChanged, tell
from bellwork.ding.models import Ding, DingMessage
from bellwork.jobs import enqueue
from bellwork.org.models import Person
from bellwork.org.settings import person_setting, unit_setting
from bellwork.org.settings_schemas import EscalationPolicy

ESCALATE = "ding.escalate"
SETTING = "ding_escalation"
PURPOSE = "ding"
# A text message instead of a call nobody answered: its own purpose, so the log and the
# report tell it apart (and an SMS template may be approved for it: docs/delivery.md).
FALLBACK_PURPOSE = "ding_fallback"
BATCH = 500
log = logging.getLogger("bellwork.ding")


def _policy(value: Any, where: str) -> dict[str, Any] | None:
    if value is None:
        return None
    try:
        return EscalationPolicy.model_validate(value).model_dump()
    except ValidationError:
        log.warning("%s: %s=%r is not a valid policy; ignored", where, SETTING, value)
        return None


async def policy_for(
    db: AsyncSession, sender_id: int, unit_ids: Sequence[int]
) -> dict[str, Any] | None:
    """The escalation policy a DING by this sender goes out under (module docstring)."""
    found = await person_setting(db, sender_id, SETTING)
    if found is not None:
        return _policy(found[1], f"unit {found[0]}")
    if unit_ids:
        return _policy(await unit_setting(db, unit_ids[0], SETTING), f"unit {unit_ids[0]}")
    return None


def _step_at(msg: DingMessage, step: int, now: datetime) -> datetime | None:
    policy = msg.escalation or {}
    channels = policy.get("channels") or []
    if not 1 <= step <= len(channels):
        return None
    return now + timedelta(minutes=int(policy["after_minutes"]))


async def schedule(db: AsyncSession, msg: DingMessage, now: datetime) -> None:
    """When the DING goes out: its first escalation step, if its policy has one."""
    at = _step_at(msg, 1, now)
    if at is not None:
        await enqueue(db, ESCALATE, {"message": msg.id, "step": 1}, run_at=at, key=_key(msg, 1))


def _key(msg: DingMessage, step: int) -> str:
    return f"{ESCALATE}:{msg.id}:{step}"


async def ring(db: AsyncSession, msg: DingMessage, people: Sequence[int]) -> None:
    """The card again on `people`'s devices (an `app` step)."""
    tell(db, DingAlerted(ding=await media.card(db, msg)), people)


async def _text(db: AsyncSession, msg: DingMessage) -> str:
    refs = await person_refs(db, {msg.sender_id} if msg.sender_id else set())
    name = refs[msg.sender_id].name if msg.sender_id in refs else ""
    return t("ding_delivery_text", sender=name, body=msg.body)


async def escalate(db: AsyncSession, message_id: int, step: int, now: datetime) -> int:
    """The `ding.escalate` job: step `step` of the DING's policy for everyone who has not
    confirmed (module docstring). Returns how many it reached (0: stopped)."""
    msg = await db.get(DingMessage, message_id)
    if msg is None or msg.sent_at is None or msg.recalled_at is not None:
        return 0
    channels = list((msg.escalation or {}).get("channels") or [])
    if not 1 <= step <= len(channels):
        return 0
    people = list(
        (
            await db.execute(
                select(Ding.recipient_id).where(
                    Ding.message_id == msg.id,
                    Ding.confirmed_at.is_(None),
                    Ding.escalation_step < step,
                )
            )
        ).scalars()
    )
    if not people:
        return 0  # everyone confirmed: no further steps
    await db.execute(
        update(Ding)
        .where(Ding.message_id == msg.id, Ding.confirmed_at.is_(None), Ding.escalation_step < step)
        .values(escalation_step=step)
        .execution_options(synchronize_session=False)
    )
    channel = channels[step - 1]
    if channel == "app":
        await ring(db, msg, people)
    else:
        text = await _text(db, msg)
        for i in range(0, len(people), BATCH):
            found = await db.execute(
                select(Person.id, Person.phone).where(Person.id.in_(people[i : i + BATCH]))
            )
            for pid, phone in found:
                if phone:
                    await queue_delivery(
                        db,
                        channel=channel,
                        address=phone,
                        body=text,
                        purpose=PURPOSE,
                        person_id=pid,
                        ding_id=msg.id,
                        ding_step=step,
                    )
    nxt = _step_at(msg, step + 1, now)
    if nxt is not None:
        await enqueue(
            db, ESCALATE, {"message": msg.id, "step": step + 1}, run_at=nxt, key=_key(msg, step + 1)
        )
    if msg.sender_id is not None:
        tell(db, DingChanged(ding_id=msg.id), [msg.sender_id])
    return len(people)


@on_outcome
async def fall_back(db: AsyncSession, d: Delivery, now: datetime) -> None:
    """A DING's voice call that did not reach its person (not answered, or it could not be
    placed): a text message of the same DING instead, unless they confirmed or the DING was
    recalled meanwhile."""
    if d.channel != VOICE or d.status != FAILED or d.ding_id is None or d.person_id is None:
        return
    msg = await db.get(DingMessage, d.ding_id)
    if msg is None or msg.recalled_at is not None:
        return
    confirmed = await db.scalar(
        select(Ding.confirmed_at).where(Ding.message_id == msg.id, Ding.recipient_id == d.person_id)
    )
    if confirmed is not None:
        return
    await queue_delivery(
        db,
        channel=SMS,
        address=d.address,
        body=d.body,
        purpose=FALLBACK_PURPOSE,
        person_id=d.person_id,
        ding_id=msg.id,
        ding_step=d.ding_step,
    )
    if msg.sender_id is not None:
        tell(db, DingChanged(ding_id=msg.id), [msg.sender_id])
