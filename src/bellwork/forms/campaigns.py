"""Campaigns: a template sent to an audience on a schedule (docs/forms.md, "Campaigns").

- Who runs one: those who may design for its unit (templates.may_design); the audience is
  units × roles under it (`org.audience.resolve`, prefix `form`).
- The subjects are written when the campaign is made (`FormTarget`, one per subject with the
  unit — their class — they were reached in): the counts of each day are about them.
  `subject="student"`: the students of the units chosen, each filled by the student or any of
  their guardians.
- Each asked day opens with the `forms.open` job at the window's opening: it writes the day's
  counter rows (expected per unit), the day's reminders and the next day's `forms.open`. The
  jobs are keyed by campaign and day, so a retried or repeated job adds nothing twice."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.core.errors import Conflict, Invalid, NotFound
from bellwork.db.dialect import dialect_insert
from bellwork.ding.audience import require_sender
from bellwork.forms import live
from bellwork.forms.cards import post_cards
from bellwork.forms.models import FormCampaign, FormDayCount, FormTarget, FormTemplate
from bellwork.forms.periods import Schedule, Window, local_day, moment, next_window, window
from bellwork.forms.schemas import CampaignCreate, CampaignOut, CampaignUnit
from bellwork.forms.templates import access_template, may_design, require_design
from bellwork.jobs import enqueue
from bellwork.org import audience
from bellwork.org.access import Scope, access_unit
from bellwork.org.models import Unit
from bellwork.org.settings import unit_time_zone, zone
from bellwork.org.units import unit_labels

OPEN = "forms.open"
REMIND = "forms.remind"
MAX_TARGETS = 20_000
BATCH = 1000


def root_of(campaign: FormCampaign) -> int:
    return campaign.root_id or campaign.id


def schedule_of(campaign: FormCampaign) -> Schedule:
    return Schedule.model_validate(campaign.schedule)


def window_of(campaign: FormCampaign, day: date) -> Window:
    return window(schedule_of(campaign), zone(campaign.time_zone), day, campaign.late_allowed)


async def _shape(db: AsyncSession, campaign: FormCampaign) -> CampaignOut:
    template = await db.get(FormTemplate, campaign.template_id)
    unit = await access_unit(db, campaign.unit_id)
    hand_down = bool(campaign.audience.get("hand_down"))
    root = await db.get(FormCampaign, campaign.root_id) if campaign.parent_id else None
    copies = 0
    if hand_down:
        copies = int(
            await db.scalar(
                select(func.count())
                .select_from(FormCampaign)
                .where(FormCampaign.parent_id == campaign.id)
            )
            or 0
        )
    return CampaignOut(
        id=campaign.id,
        template_id=campaign.template_id,
        template_name=template.name if template else "",
        unit_id=unit.id,
        unit_name=(await unit_labels(db, [unit.id]))[unit.id],
        name=campaign.name,
        subject=campaign.subject,
        schedule=campaign.schedule,
        time_zone=campaign.time_zone,
        reminders=campaign.reminders,
        remind_by=campaign.remind_by,
        late_allowed=campaign.late_allowed,
        target_count=campaign.target_count,
        created_at=campaign.created_at,
        closed_at=campaign.closed_at,
        hand_down=hand_down,
        copies=copies,
        parent_id=campaign.parent_id,
        root_template_id=root.template_id if root is not None else None,
    )


async def create(
    db: AsyncSession, actor: Actor, scope: Scope, data: CampaignCreate, now: datetime
) -> tuple[CampaignOut, bool]:
    """The campaign and whether it is new (a retry with the same `client_id` answers the
    first)."""
    again = (
        await db.execute(
            select(FormCampaign).where(
                FormCampaign.created_by == actor.id, FormCampaign.client_id == data.client_id
            )
        )
    ).scalar_one_or_none()
    if again is not None:
        return await _shape(db, again), False
    unit = await access_unit(db, data.unit_id)
    require_design(scope, unit)
    template = await access_template(db, scope, data.template_id)
    if data.remind_by == "ding":
        # Reminders by DING ring people's phones: for those who may DING.
        await require_sender(db, scope)
    for i, chosen in enumerate(data.units):
        target_unit = await access_unit(db, chosen.unit_id)
        if not target_unit.path.startswith(unit.path):
            raise Invalid("form_audience_outside", errors=[{"field": f"units.{i}.unit_id"}])
    tz = await unit_time_zone(db, unit.id)
    if data.schedule.start < local_day(tz, now):
        raise Invalid("form_start_past", errors=[{"field": "schedule.start"}])
    first = first_window(data.schedule, tz, data.late_allowed, now)
    if first is None:
        raise Invalid("form_no_period", errors=[{"field": "schedule"}])
    campaign = FormCampaign(
        template_id=template.id,
        unit_id=unit.id,
        name=data.name,
        client_id=data.client_id,
        audience={
            "units": [c.model_dump() for c in data.units],
            **({"hand_down": True} if data.hand_down else {}),
        },
        subject=data.subject,
        schedule=data.schedule.model_dump(mode="json"),
        time_zone=tz.key,
        reminders=sorted(set(data.reminders)),
        remind_by=data.remind_by,
        late_allowed=data.late_allowed,
        created_by=actor.id,
    )
    if data.hand_down:
        # A copy for each school below, each made by its own job (handdown.py): a city's
        # thousand schools and million students are not one request's transaction.
        from bellwork.forms.handdown import plan

        db.add(campaign)
        await db.flush()
        campaign.root_id = campaign.id
        await plan(db, campaign, unit, now)
        return await _shape(db, campaign), True
    people = await audience.resolve(
        db,
        scope,
        units=audience_picks(data.subject, data.units),
        prefix="form",
        limit=MAX_TARGETS,
        include_self=True,
    )
    db.add(campaign)
    await launch(db, campaign, people, first, now)
    return await _shape(db, campaign), True


def audience_picks(subject: str, units: list[CampaignUnit]) -> list[CampaignUnit]:
    """The units × roles whose members are the subjects: a student campaign's are students."""
    return [
        c.model_copy(update={"roles": ["student"]}) if subject == "student" else c for c in units
    ]


def first_window(
    schedule: Schedule, tz: ZoneInfo, late_allowed: bool, now: datetime
) -> Window | None:
    """The first asked day whose window is not over at `now` (today's, or a later one)."""
    first = next_window(schedule, tz, schedule.start - timedelta(days=1), late_allowed)
    if first is not None and first.closes_at <= now:  # today's is over: from the next day
        first = next_window(schedule, tz, first.day, late_allowed)
    return first


async def launch(
    db: AsyncSession,
    campaign: FormCampaign,
    people: list[tuple[int, int | None]],
    first: Window,
    now: datetime,
) -> None:
    """Writes the campaign's subjects (added, not yet flushed, or flushed) and enqueues its
    first day's opening, which also posts its card into the groups (forms/cards.py)."""
    campaign.target_count = sum(1 for _, uid in people if uid is not None)
    await db.flush()
    if campaign.root_id is None:
        campaign.root_id = campaign.id
    paths = await _paths(db, {uid for _, uid in people if uid is not None})
    rows = [
        {"campaign_id": campaign.id, "subject_id": pid, "unit_id": uid, "unit_path": paths[uid]}
        for pid, uid in people
        if uid is not None
    ]
    for i in range(0, len(rows), BATCH):
        await db.execute(insert(FormTarget), rows[i : i + BATCH])
    await enqueue(
        db,
        OPEN,
        {"campaign": campaign.id, "day": first.day.isoformat(), "cards": True},
        run_at=max(first.opens_at, now),
        key=f"{OPEN}:{campaign.id}:{first.day.isoformat()}",
    )


async def _paths(db: AsyncSession, unit_ids: set[int]) -> dict[int, str]:
    if not unit_ids:
        return {}
    rows = await db.execute(select(Unit.id, Unit.path).where(Unit.id.in_(unit_ids)))
    return {uid: path for uid, path in rows.all()}


async def open_day(
    db: AsyncSession, campaign_id: int, day: date, now: datetime, cards: bool = False
) -> None:
    """The `forms.open` job: the day's counter rows (expected per unit, from the targets), its
    reminders and the next asked day's opening; on the first day (`cards`), the campaign's
    card into the group of each unit its subjects are in. Nothing for a closed campaign."""
    campaign = await db.get(FormCampaign, campaign_id)
    if campaign is None or campaign.closed_at is not None:
        return
    counts = await db.execute(
        select(FormTarget.unit_id, FormTarget.unit_path, func.count())
        .where(FormTarget.campaign_id == campaign.id)
        .group_by(FormTarget.unit_id, FormTarget.unit_path)
    )
    rows: list[dict[str, Any]] = [
        {
            "campaign_id": campaign.id,
            "root_id": root_of(campaign),
            "period": day,
            "unit_id": uid,
            "unit_path": path,
            "expected": n,
            "submitted": 0,
            "late": 0,
            "abnormal": 0,
        }
        for uid, path, n in counts.all()
    ]
    for i in range(0, len(rows), BATCH):
        # A row a submission made before this job ran keeps its counts and gets `expected`.
        stmt = dialect_insert(db, FormDayCount).values(rows[i : i + BATCH])
        await db.execute(
            stmt.on_conflict_do_update(
                index_elements=["campaign_id", "period", "unit_id"],
                set_={"expected": stmt.excluded.expected},
            )
        )
    if cards:
        await post_cards(db, campaign, day, [row["unit_id"] for row in rows])
    top = await access_unit(db, campaign.unit_id)
    # Pages showing the day learn its expected counts now, not at its first submission.
    live.counted(db, campaign.id, day, top.id, top.path)
    win = window_of(campaign, day)
    tz = zone(campaign.time_zone)
    for at in campaign.reminders:
        when = moment(tz, day, at)
        if win.opens_at < when < win.closes_at and when > now:
            await enqueue(
                db,
                REMIND,
                {"campaign": campaign.id, "day": day.isoformat(), "at": at},
                run_at=when,
                key=f"{REMIND}:{campaign.id}:{day.isoformat()}:{at}",
            )
    nxt = next_window(schedule_of(campaign), tz, day, campaign.late_allowed)
    if nxt is not None:
        await enqueue(
            db,
            OPEN,
            {"campaign": campaign.id, "day": nxt.day.isoformat()},
            run_at=nxt.opens_at,
            key=f"{OPEN}:{campaign.id}:{nxt.day.isoformat()}",
        )


async def access_campaign(db: AsyncSession, scope: Scope, campaign_id: int) -> FormCampaign:
    """A campaign whose figures the person may see: of a unit they design for or head (404
    otherwise, as for one that does not exist)."""
    campaign = await db.get(FormCampaign, campaign_id)
    if campaign is None:
        raise NotFound("form_campaign")
    if not may_design(scope, await access_unit(db, campaign.unit_id)):
        raise NotFound("form_campaign")
    return campaign


async def get(db: AsyncSession, scope: Scope, campaign_id: int) -> CampaignOut:
    return await _shape(db, await access_campaign(db, scope, campaign_id))


async def list_for_unit(db: AsyncSession, scope: Scope, unit_id: int) -> list[CampaignOut]:
    """The campaigns a unit runs, newest first."""
    unit = await access_unit(db, unit_id)
    require_design(scope, unit)
    rows = (
        await db.execute(
            select(FormCampaign)
            .where(FormCampaign.unit_id == unit.id)
            .order_by(FormCampaign.id.desc())
            .limit(100)
        )
    ).scalars()
    return [await _shape(db, c) for c in rows]


async def close(
    db: AsyncSession, actor: Actor, scope: Scope, campaign_id: int, now: datetime
) -> CampaignOut:
    """Ends it: no more days open; what was submitted stays."""
    campaign = await access_campaign(db, scope, campaign_id)
    if campaign.closed_at is not None:
        raise Conflict("form_campaign_closed")
    campaign.closed_at = now
    if campaign.audience.get("hand_down"):
        # The bureau's campaign ends with every school's copy of it.
        await db.execute(
            update(FormCampaign)
            .where(FormCampaign.parent_id == campaign.id, FormCampaign.closed_at.is_(None))
            .values(closed_at=now)
        )
    return await _shape(db, campaign)
