"""A campaign's figures at any level (docs/forms.md, "Statistics"): the day's expected /
submitted / late / abnormal for a unit and each unit just below it (bureau → school → grade →
class), the answers' distributions, the trend over days, and at a class the people.

Every figure is a sum of the per-class counters (`FormDayCount`, `FormAnswerCount`) over one
index range — the campaign family's root, the day, the unit's path prefix — never a scan of
submissions. Who sees what:

- the figures of a unit: those who may design for it (its heads and above, its teachers);
- names (the people list): the unit's teachers, and heads at or below the school; a district's
  or bureau's heads only where the unit setting `form_names_above_school` (inherited) is true.
  Every look at names is in the audit log."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import and_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit import service as audit
from bellwork.auth.service import Actor
from bellwork.core.errors import Forbidden, Invalid, NotFound
from bellwork.forms import files
from bellwork.forms.campaigns import root_of
from bellwork.forms.fields import label_text
from bellwork.forms.models import (
    FormAnswerCount,
    FormCampaign,
    FormDayCount,
    FormSubmission,
    FormTarget,
    FormVersion,
)
from bellwork.forms.privacy import may_see_names
from bellwork.forms.schemas import (
    AnswerCount,
    Figures,
    PersonStatus,
    QuestionCounts,
    StatsOut,
    TrendDay,
    UnitFigures,
)
from bellwork.forms.templates import may_design
from bellwork.org.access import Scope, access_unit
from bellwork.org.models import Person, Unit
from bellwork.org.search import prefix_end
from bellwork.org.units import unit_labels

MAX_TREND_DAYS = 62
MAX_PEOPLE = 2000


def under(col: Any, path: str) -> Any:
    return and_(col >= path, col < prefix_end(path))


async def scope_unit(
    db: AsyncSession, scope: Scope, campaign_id: int, unit_id: int | None
) -> tuple[FormCampaign, Unit]:
    """The campaign and the unit whose figures are asked (the campaign's own by default),
    which must be the campaign's or one below it, and one the person may see: 404 alike for a
    campaign that does not exist and one they may not see."""
    campaign = await db.get(FormCampaign, campaign_id)
    if campaign is None:
        raise NotFound("form_campaign")
    top = await access_unit(db, campaign.unit_id)
    unit = top if unit_id is None else await access_unit(db, unit_id)
    if not unit.path.startswith(top.path) or not may_design(scope, unit):
        raise NotFound("form_campaign")
    return campaign, unit


def _figures(expected: int, submitted: int, late: int, abnormal: int) -> Figures:
    return Figures(
        expected=expected,
        submitted=submitted,
        missing=max(expected - submitted, 0),
        late=late,
        abnormal=abnormal,
        rate=round(submitted / expected, 4) if expected else 0.0,
    )


async def summary(
    db: AsyncSession, scope: Scope, campaign_id: int, unit_id: int | None, day: date
) -> StatsOut:
    """The unit's figures for the day and those of each unit just below it, the lagging
    first."""
    campaign, unit = await scope_unit(db, scope, campaign_id, unit_id)
    c = FormDayCount
    sums = (
        func.coalesce(func.sum(c.expected), 0),
        func.coalesce(func.sum(c.submitted), 0),
        func.coalesce(func.sum(c.late), 0),
        func.coalesce(func.sum(c.abnormal), 0),
    )
    day_rows = and_(c.root_id == root_of(campaign), c.period == day)
    total = (await db.execute(select(*sums).where(day_rows, under(c.unit_path, unit.path)))).one()
    # Each unit just below: its own index range of class rows (`path` to the same with its
    # last "/" turned "0", which sorts right after it), summed in the database.
    child = Unit.__table__.alias("child")
    end = func.substr(child.c.path, 1, func.length(child.c.path) - 1) + literal("0")
    below = (
        await db.execute(
            select(child.c.id, child.c.name, child.c.kind, *sums)
            .join(c, and_(day_rows, c.unit_path >= child.c.path, c.unit_path < end))
            .where(child.c.parent_id == unit.id)
            .group_by(child.c.id, child.c.name, child.c.kind)
        )
    ).all()
    children = [
        UnitFigures(
            unit_id=row[0],
            name=row[1],
            kind=row[2],
            figures=_figures(int(row[3]), int(row[4]), int(row[5]), int(row[6])),
        )
        for row in below
    ]
    children.sort(key=lambda u: (u.figures.rate, -u.figures.missing, u.name))
    return StatsOut(
        campaign_id=campaign.id,
        unit_id=unit.id,
        unit_name=(await unit_labels(db, [unit.id]))[unit.id],
        unit_kind=unit.kind,
        period=day,
        figures=_figures(*map(int, total)),
        children=children,
        names_visible=await may_see_names(db, scope, unit),
    )


async def answers(
    db: AsyncSession, scope: Scope, campaign_id: int, unit_id: int | None, day: date
) -> list[QuestionCounts]:
    """How the unit's submissions of the day answered each counted question (choices,
    temperature to 0.1 °C, ratings), most frequent first."""
    campaign, unit = await scope_unit(db, scope, campaign_id, unit_id)
    rows = (
        await db.execute(
            select(FormAnswerCount.field, FormAnswerCount.value, func.sum(FormAnswerCount.count))
            .where(
                FormAnswerCount.root_id == root_of(campaign),
                FormAnswerCount.period == day,
                under(FormAnswerCount.unit_path, unit.path),
            )
            .group_by(FormAnswerCount.field, FormAnswerCount.value)
        )
    ).all()
    # The questions of this campaign's template: a bureau's page counts the bureau's
    # questions across every school's copy, not the questions a school added to its own.
    asked = await template_keys(db, campaign.template_id)
    by_field: dict[str, list[AnswerCount]] = defaultdict(list)
    for field, value, n in rows:
        if int(n or 0) > 0 and field in asked:
            by_field[field].append(AnswerCount(value=value, count=int(n)))
    return [
        QuestionCounts(key=key, counts=sorted(values, key=lambda a: (-a.count, a.value)))
        for key, values in sorted(by_field.items())
    ]


async def template_keys(db: AsyncSession, template_id: int) -> set[str]:
    """The keys of the questions any version of the template asks."""
    definitions: Iterable[dict[str, Any]] = (
        await db.execute(
            select(FormVersion.definition).where(FormVersion.template_id == template_id)
        )
    ).scalars()
    return {f["key"] for d in definitions for f in d.get("fields", [])}


async def trend(
    db: AsyncSession,
    scope: Scope,
    campaign_id: int,
    unit_id: int | None,
    start: date,
    end: date,
) -> list[TrendDay]:
    """The unit's figures day by day from `start` to `end` (at most 62 days)."""
    if end < start or (end - start).days >= MAX_TREND_DAYS:
        raise Invalid("form_trend_range", errors=[{"field": "end"}], days=MAX_TREND_DAYS)
    campaign, unit = await scope_unit(db, scope, campaign_id, unit_id)
    rows = (
        await db.execute(
            select(
                FormDayCount.period,
                func.sum(FormDayCount.expected),
                func.sum(FormDayCount.submitted),
                func.sum(FormDayCount.late),
                func.sum(FormDayCount.abnormal),
            )
            .where(
                FormDayCount.root_id == root_of(campaign),
                FormDayCount.period >= start,
                FormDayCount.period <= end,
                under(FormDayCount.unit_path, unit.path),
            )
            .group_by(FormDayCount.period)
            .order_by(FormDayCount.period)
        )
    ).all()
    return [
        TrendDay(period=p, figures=_figures(*(int(n or 0) for n in numbers)))
        for p, *numbers in rows
    ]


async def people(
    db: AsyncSession,
    actor: Actor,
    scope: Scope,
    campaign_id: int,
    unit_id: int | None,
    day: date,
) -> list[PersonStatus]:
    """Each subject below the unit with the day's status (missing first), for those who may
    see names (403 `form_names_hidden` otherwise). Recorded in the audit log."""
    campaign, unit = await scope_unit(db, scope, campaign_id, unit_id)
    if not await may_see_names(db, scope, unit):
        raise Forbidden("form_names_hidden")
    family = select(FormCampaign.id).where(
        func.coalesce(FormCampaign.root_id, FormCampaign.id) == root_of(campaign)
    )
    rows = (
        await db.execute(
            select(
                FormTarget.subject_id,
                Person.name,
                FormTarget.unit_id,
                FormSubmission.id,
                FormSubmission.late,
                FormSubmission.abnormal,
                FormSubmission.reasons,
                FormSubmission.submitted_at,
            )
            .join(Person, Person.id == FormTarget.subject_id)
            .outerjoin(
                FormSubmission,
                and_(
                    FormSubmission.campaign_id == FormTarget.campaign_id,
                    FormSubmission.subject_id == FormTarget.subject_id,
                    FormSubmission.period == day,
                ),
            )
            .where(
                FormTarget.campaign_id.in_(family),
                under(FormTarget.unit_path, unit.path),
            )
            .order_by(FormTarget.unit_path, Person.sort_key, Person.id)
            .limit(MAX_PEOPLE + 1)
        )
    ).all()
    if len(rows) > MAX_PEOPLE:
        raise Invalid("form_people_too_many", limit=MAX_PEOPLE)
    attached = await files.of_submissions(db, [r[3] for r in rows if r[3] is not None])
    out: list[PersonStatus] = []
    for row in rows:
        pid, name, uid, sid, late, ab, at = row[0], row[1], row[2], row[3], row[4], row[5], row[7]
        reasons: list[Any] = list(row[6] or [])
        out.append(
            PersonStatus(
                person_id=pid,
                name=name,
                unit_id=uid,
                submitted=sid is not None,
                late=bool(late),
                abnormal=bool(ab),
                reasons=[label_text(r) for r in reasons],
                submitted_at=at,
                files=attached.get(sid, []) if sid is not None else [],
            )
        )
    out.sort(key=lambda p: (p.submitted, not p.abnormal))
    await audit.record(
        db,
        actor.id,
        "form.people.view",
        "form_campaign",
        campaign.id,
        None,
        {"unit_id": unit.id, "period": day.isoformat(), "rows": len(out)},
        unit_id=unit.id,
    )
    return out
