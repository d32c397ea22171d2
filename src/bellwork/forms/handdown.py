"""A bureau's campaign handed down to every school below it (docs/forms.md, "Down the tree").

- `CampaignCreate.hand_down` at a bureau (or district): the bureau's campaign is the family's
  root (`root_id` = itself) and asks nobody itself; each school below that the audience reaches
  gets its own copy (`parent_id`, `root_id` = the bureau's): the same template, schedule,
  reminders, asking that school's people of the audience's roles, in the school's time zone.
- Each copy is made by its own `forms.hand_down` job (keyed by bureau campaign and school),
  enqueued in the transaction that makes the bureau's: a city's 1,000 schools and 1,000,000
  students are 1,000 small transactions (a school's subjects, its first opening), run by any
  worker, retried alone — not one request holding the writer for minutes.
- The copies' counters carry the bureau's `root_id`, so the bureau's figures are the sums of
  its schools' classes (stats.py), and its drill-down goes bureau → school → grade → class.
- A school may switch its copy to a template made from the bureau's (`switch_template`): its
  people fill the longer form; the bureau's questions and rules are the bureau's, unchanged, so
  its figures and per-question counts keep adding up. Anything else is refused."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit import service as audit
from bellwork.auth.service import Actor
from bellwork.core.errors import Conflict, Invalid
from bellwork.forms.campaigns import (
    MAX_TARGETS,
    access_campaign,
    audience_picks,
    first_window,
    launch,
)
from bellwork.forms.models import FormCampaign, FormTemplate
from bellwork.forms.periods import Schedule
from bellwork.forms.schemas import CampaignUnit
from bellwork.forms.templates import access_template, keeps_base, newest, require_design
from bellwork.jobs import enqueue
from bellwork.org import audience
from bellwork.org.access import Scope, access_unit, load_scope
from bellwork.org.models import Person, Unit
from bellwork.org.settings import chain, unit_time_zone
from bellwork.org.units import subtree_clause

log = logging.getLogger(__name__)

HAND_DOWN = "forms.hand_down"
MAX_SCHOOLS = 5000
MAX_BASE_HOPS = 10


def _picks(campaign: FormCampaign) -> list[CampaignUnit]:
    return [CampaignUnit.model_validate(c) for c in campaign.audience.get("units", [])]


def school_picks(
    picks: list[CampaignUnit], paths: dict[int, str], school: Unit
) -> list[CampaignUnit]:
    """The audience within one school: a unit chosen at or above it asks the whole school
    (the same roles), one chosen inside it stays as it is; others are not the school's."""
    out: list[CampaignUnit] = []
    for c in picks:
        path = paths.get(c.unit_id, "")
        if path and school.path.startswith(path):
            out.append(c.model_copy(update={"unit_id": school.id}))
        elif path.startswith(school.path):
            out.append(c)
    return out


async def _pick_paths(db: AsyncSession, picks: list[CampaignUnit]) -> dict[int, str]:
    ids = {c.unit_id for c in picks}
    rows = await db.execute(select(Unit.id, Unit.path).where(Unit.id.in_(ids)))
    return {uid: path for uid, path in rows.all()}


async def plan(db: AsyncSession, root: FormCampaign, unit: Unit, now: datetime) -> int:
    """Enqueues a copy's job for every school below `unit` the audience reaches; how many.
    None: 422 `form_no_schools_below`; more than 5,000: 422 `form_too_many_schools`."""
    picks = _picks(root)
    paths = await _pick_paths(db, picks)
    schools = (
        (
            await db.execute(
                select(Unit)
                .where(
                    subtree_clause(unit.path),
                    Unit.id != unit.id,
                    Unit.kind == "school",
                    Unit.archived_at.is_(None),
                )
                .order_by(Unit.path)
                .limit(MAX_SCHOOLS + 1)
            )
        )
        .scalars()
        .all()
    )
    if len(schools) > MAX_SCHOOLS:
        raise Invalid("form_too_many_schools", errors=[{"field": "hand_down"}], limit=MAX_SCHOOLS)
    count = 0
    for school in schools:
        if not school_picks(picks, paths, school):
            continue
        await enqueue(
            db,
            HAND_DOWN,
            {"campaign": root.id, "school": school.id},
            run_at=now,
            key=f"{HAND_DOWN}:{root.id}:{school.id}",
        )
        count += 1
    if count == 0:
        raise Invalid("form_no_schools_below", errors=[{"field": "hand_down"}])
    root.audience = {**root.audience, "schools": count}
    return count


async def make_copy(db: AsyncSession, root_id: int, school_id: int, now: datetime) -> int | None:
    """The `forms.hand_down` job: the school's copy of the bureau's campaign — its subjects
    (the school's people of the audience, as the bureau's head may reach them) and its first
    opening. Its id; None when there is nothing to make (closed meanwhile, made already, nobody
    at the school, no day left in the school's time zone)."""
    root = await db.get(FormCampaign, root_id)
    if root is None or root.closed_at is not None or root.created_by is None:
        return None
    client_id = f"down:{root.id}:{school_id}"
    made = await db.scalar(
        select(FormCampaign.id).where(
            FormCampaign.created_by == root.created_by, FormCampaign.client_id == client_id
        )
    )
    if made is not None:
        return int(made)
    school = await db.get(Unit, school_id)
    creator = await db.get(Person, root.created_by)
    if school is None or school.archived_at is not None or creator is None:
        return None
    scope = await load_scope(db, Actor(person=creator))
    picks = _picks(root)
    picks = school_picks(picks, await _pick_paths(db, picks), school)
    tz = await unit_time_zone(db, school.id)
    first = first_window(Schedule.model_validate(root.schedule), tz, root.late_allowed, now)
    if not picks or first is None:
        return None
    try:
        people = await audience.resolve(
            db,
            scope,
            units=audience_picks(root.subject, picks),
            prefix="form",
            limit=MAX_TARGETS,
            include_self=True,
        )
    except Invalid as exc:  # nobody there, or more than one copy may ask
        log.warning("no copy of campaign %s for school %s: %s", root.id, school.id, exc)
        return None
    copy = FormCampaign(
        template_id=root.template_id,
        unit_id=school.id,
        name=root.name,
        client_id=client_id,
        audience={"units": [c.model_dump() for c in picks]},
        subject=root.subject,
        schedule=root.schedule,
        time_zone=tz.key,
        reminders=root.reminders,
        remind_by=root.remind_by,
        late_allowed=root.late_allowed,
        parent_id=root.id,
        root_id=root.id,
        created_by=root.created_by,
    )
    db.add(copy)
    await launch(db, copy, people, first, now)
    await db.execute(
        update(FormCampaign)
        .where(FormCampaign.id == root.id)
        .values(target_count=FormCampaign.target_count + copy.target_count)
    )
    return copy.id


async def derived_from(db: AsyncSession, template: FormTemplate, base_id: int) -> bool:
    """Whether `template` is the template `base_id` or made from it (through its `base_id`s)."""
    current: FormTemplate | None = template
    for _ in range(MAX_BASE_HOPS):
        if current is None:
            return False
        if current.id == base_id:
            return True
        if current.base_id is None:
            return False
        current = await db.get(FormTemplate, current.base_id)
    return False


async def switch_template(
    db: AsyncSession, actor: Actor, scope: Scope, campaign_id: int, template_id: int
) -> FormCampaign:
    """A school's copy asks from now on with `template_id`: the bureau's template or one made
    from it, of the school or a unit above it, that keeps the bureau's questions and rules
    unchanged. Not a copy: 409 `form_not_handed_down`; another template: 422
    `form_template_not_derived`; the bureau's questions changed: 422 `form_base_changed`."""
    campaign = await access_campaign(db, scope, campaign_id)
    unit = await access_unit(db, campaign.unit_id)
    require_design(scope, unit)
    root = await db.get(FormCampaign, campaign.root_id) if campaign.parent_id else None
    if root is None or root.id == campaign.id:
        raise Conflict("form_not_handed_down")
    if campaign.closed_at is not None:
        raise Conflict("form_campaign_closed")
    where = [{"field": "template_id"}]
    template = await access_template(db, scope, template_id)
    if template.unit_id not in chain(unit.path) or not await derived_from(
        db, template, root.template_id
    ):
        raise Invalid("form_template_not_derived", errors=where)
    base = await db.get(FormTemplate, root.template_id)
    assert base is not None
    if not keeps_base((await newest(db, base)).definition, (await newest(db, template)).definition):
        raise Invalid("form_base_changed", errors=where)
    if template.id != campaign.template_id:
        before = await db.get(FormTemplate, campaign.template_id)
        campaign.template_id = template.id
        await audit.record(
            db,
            actor.id,
            "form.campaign.template",
            "form_campaign",
            campaign.id,
            {"template": before.name if before else ""},
            {"template": template.name},
            unit_id=unit.id,
        )
    return campaign
