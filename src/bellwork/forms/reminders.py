"""Reminding those whose form is still missing (docs/forms.md, "Reminders").

- **Automatic**: the `forms.remind` job at each of the campaign's reminder times ("08:00"),
  to every subject still missing that day and, for a student, their guardians.
- **Manual** ("remind everyone missing", on the statistics page): the same, below the unit
  being viewed — over a bureau's whole family (its schools' copies ask, it does not) — by
  someone who may see its figures; at most once per 5 minutes at a unit for a day (429
  `form_remind_too_soon` with the time left, as DING's "remind again"), each one a
  `FormRemind` row.
- **How** (`FormCampaign.remind_by`, or the manual reminder's `by`): `"app"` publishes
  `form.reminder` to the fillers; `"ding"` sends a DING from the installation
  (`ding.service.send_system`) to them, each in the subject's class, so it rings until each
  confirms and follows the DING rules. Whom: `filling.unfilled`, the same list as DING's
  audience "has still to fill form Y" (`unfilled_of`). A manual DING is for those who may DING
  (`ding.audience.require_sender`) and reaches at most as many people as a DING may.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit import service as audit
from bellwork.auth.service import Actor
from bellwork.chat.shaping import person_refs
from bellwork.core.errors import Conflict, Invalid, Problem
from bellwork.core.i18n import DEFAULT, t
from bellwork.ding.audience import MAX_RECIPIENTS, require_sender
from bellwork.ding.service import REMIND_EVERY, send_system
from bellwork.forms import live
from bellwork.forms.campaigns import schedule_of, window_of
from bellwork.forms.filling import unfilled
from bellwork.forms.live import FormReminder
from bellwork.forms.models import FormCampaign, FormRemind
from bellwork.forms.periods import CLOSED, UPCOMING, asks_on
from bellwork.forms.schemas import RemindIn, RemindOut
from bellwork.forms.stats import scope_unit
from bellwork.org.access import Scope
from bellwork.org.models import Person
from bellwork.org.settings import zone

BATCH = 500
LISTED = 20


async def _active(
    db: AsyncSession, people: Sequence[tuple[int, int | None]]
) -> list[tuple[int, int | None]]:
    """Each person once (with the first unit they came with), deactivated accounts left out."""
    first: dict[int, int | None] = {}
    for pid, uid in people:
        first.setdefault(pid, uid)
    ids = list(first)
    active: set[int] = set()
    for i in range(0, len(ids), BATCH):
        rows = await db.execute(
            select(Person.id).where(
                Person.id.in_(ids[i : i + BATCH]), Person.deactivated_at.is_(None)
            )
        )
        active.update(rows.scalars())
    return [(p, u) for p, u in first.items() if p in active]


async def _tell(
    db: AsyncSession,
    campaign: FormCampaign,
    day: date,
    fillers: Sequence[tuple[int, int | None]],
    by: str,
    client_id: str,
) -> int | None:
    """Tells the fillers, in the app or by DING; the DING's id when one went."""
    win = window_of(campaign, day)
    if by == "ding":
        deadline = win.deadline_at.astimezone(zone(campaign.time_zone)).strftime("%H:%M")
        # One text for all its readers: in the installation's language (as an abnormal alert).
        body = t("form_remind_ding", DEFAULT, form=campaign.name, deadline=deadline)
        return await send_system(db, client_id=client_id, body=body, recipients=fillers)
    live.remind(
        db,
        FormReminder(
            campaign_id=campaign.id, name=campaign.name, period=day, deadline_at=win.deadline_at
        ),
        {p for p, _ in fillers},
    )
    return None


async def remind_day(
    db: AsyncSession, campaign_id: int, day: date, now: datetime, at: str | None = None
) -> int:
    """The `forms.remind` job: tells the fillers of every subject still missing on `day` (the
    subject, and a student's guardians), in the app or by DING as the campaign says; how many
    subjects were missing. `at` (the reminder's time of day) keys its DING: a job run again
    sends nothing twice."""
    campaign = await db.get(FormCampaign, campaign_id)
    if campaign is None or campaign.closed_at is not None:
        return 0
    if window_of(campaign, day).state(now) == CLOSED:
        return 0
    missing, fillers = await unfilled(db, campaign, day)
    if missing:
        key = f"form-remind-{campaign.id}-{day.isoformat()}-{at or 'auto'}"
        await _tell(db, campaign, day, await _active(db, fillers), campaign.remind_by, key)
    return missing


def _too_soon(last: FormRemind, now: datetime) -> None:
    due = last.created_at + REMIND_EVERY
    if due > now:
        seconds = max(1, math.ceil((due - now).total_seconds()))
        minutes, rest = divmod(seconds, 60)
        raise Problem(
            "form_remind_too_soon",
            429,
            headers={"Retry-After": str(seconds)},
            minutes=minutes,
            seconds=rest,
        )


async def _shape(db: AsyncSession, rows: Sequence[FormRemind]) -> list[RemindOut]:
    refs = await person_refs(db, {r.sent_by for r in rows if r.sent_by})
    return [
        RemindOut(
            id=r.id,
            campaign_id=r.campaign_id,
            unit_id=r.unit_id,
            period=r.period,
            by=r.by,
            sent_by=refs.get(r.sent_by) if r.sent_by else None,
            subjects=r.subjects,
            reached=r.reached,
            created_at=r.created_at,
            next_at=r.created_at + REMIND_EVERY,
        )
        for r in rows
    ]


async def remind_now(
    db: AsyncSession, actor: Actor, scope: Scope, campaign_id: int, data: RemindIn, now: datetime
) -> RemindOut:
    """ "Remind everyone missing" below a unit, for a day that is open (or taking late
    submissions). Problems: `form_campaign_closed`, `form_not_today`, `form_not_open_yet`,
    `form_period_closed`, `form_nobody_missing` (409); `form_remind_too_soon` (429);
    `ding_not_allowed` (403) for a DING by someone who may not DING; `form_remind_too_many`."""
    campaign, unit = await scope_unit(db, scope, campaign_id, data.unit_id)
    if campaign.closed_at is not None:
        raise Conflict("form_campaign_closed")
    by = data.by or campaign.remind_by
    if by == "ding":
        await require_sender(db, scope)
    day = data.day
    if not asks_on(schedule_of(campaign), day):
        raise Conflict("form_not_today")
    state = window_of(campaign, day).state(now)
    if state == UPCOMING:
        raise Conflict("form_not_open_yet", at=schedule_of(campaign).opens)
    if state == CLOSED:
        raise Conflict("form_period_closed")
    # Two clicks at once: the second waits for the first and is then too soon.
    await db.execute(
        select(FormCampaign.id).where(FormCampaign.id == campaign.id).with_for_update()
    )
    last = (
        await db.execute(
            select(FormRemind)
            .where(
                FormRemind.campaign_id == campaign.id,
                FormRemind.period == day,
                FormRemind.unit_id == unit.id,
            )
            .order_by(FormRemind.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if last is not None:
        _too_soon(last, now)
    missing, found = await unfilled(db, campaign, day, unit.path, family=True)
    if not missing:
        raise Conflict("form_nobody_missing")
    fillers = await _active(db, found)
    if by == "ding" and len(fillers) > MAX_RECIPIENTS:
        raise Invalid("form_remind_too_many", limit=MAX_RECIPIENTS)
    row = FormRemind(
        campaign_id=campaign.id,
        period=day,
        unit_id=unit.id,
        sent_by=actor.id,
        by=by,
        subjects=missing,
        reached=len(fillers),
        created_at=now,
    )
    db.add(row)
    await db.flush()
    row.ding_id = await _tell(
        db, campaign, day, fillers, by, f"form-remind-{campaign.id}-{day.isoformat()}-r{row.id}"
    )
    await db.flush()
    # A DING to a whole school rings many phones: who did it is on the record.
    await audit.record(
        db,
        actor.id,
        "form.remind",
        "form_campaign",
        campaign.id,
        None,
        {"unit_id": unit.id, "period": day.isoformat(), "by": by, "people": len(fillers)},
        unit_id=unit.id,
    )
    return (await _shape(db, [row]))[0]


async def list_reminders(
    db: AsyncSession, scope: Scope, campaign_id: int, unit_id: int | None, day: date
) -> list[RemindOut]:
    """The manual reminders of a day at a unit, newest first (the page's "reminded at …, next
    after …")."""
    campaign, unit = await scope_unit(db, scope, campaign_id, unit_id)
    rows = list(
        (
            await db.execute(
                select(FormRemind)
                .where(
                    FormRemind.campaign_id == campaign.id,
                    FormRemind.period == day,
                    FormRemind.unit_id == unit.id,
                )
                .order_by(FormRemind.id.desc())
                .limit(LISTED)
            )
        ).scalars()
    )
    return await _shape(db, rows)
