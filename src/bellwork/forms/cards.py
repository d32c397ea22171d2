"""A campaign's card in the class groups (docs/forms.md, "The card in the class group"): when
a campaign's first day opens (the `forms.open` job, keyed by campaign and day), a card — the
campaign's name, "截止 09:00" — is posted by the system into the group of each unit its subjects
were reached in (a class's home–school group), through chat's `post_unit_cards` as notices post
theirs. A handed-down campaign's copies each post into their own school's classes, each in its
own job.

Tapping the card asks `entry`: whom the reader may fill it for in that unit (themself, or
their children there: one opens the form, several a picker) and whether they may see the
unit's figures (its teachers and heads)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat.cards import post_unit_cards
from bellwork.chat.models import MessageKind
from bellwork.core.errors import NotFound
from bellwork.forms.models import FormCampaign, FormSubmission, FormTarget
from bellwork.forms.periods import Schedule, local_day
from bellwork.forms.schemas import EntryOut, EntrySubject
from bellwork.forms.templates import may_design
from bellwork.org.access import Scope, access_unit
from bellwork.org.models import GuardianLink, Person
from bellwork.org.settings import zone


async def post_cards(
    db: AsyncSession, campaign: FormCampaign, day: date, unit_ids: Iterable[int]
) -> int:
    """Posts the campaign's card into the group of each unit (those that have one)."""
    schedule = Schedule.model_validate(campaign.schedule)
    units = list(unit_ids)
    return await post_unit_cards(
        db,
        units,
        campaign.name,
        kind=MessageKind.form,
        card=lambda unit_id: {
            "campaign_id": campaign.id,
            "unit_id": unit_id,
            "period": day.isoformat(),
            "deadline": schedule.deadline,
        },
    )


async def entry(
    db: AsyncSession, actor: Actor, scope: Scope, campaign_id: int, unit_id: int, now: datetime
) -> EntryOut:
    """What the card opens for the reader in the unit's group: the subjects they may fill for
    there (oneself, one's children) with whether today's is in, and whether they may see the
    unit's figures. 404 when neither (or no such campaign)."""
    campaign = await db.get(FormCampaign, campaign_id)
    if campaign is None:
        raise NotFound("form_campaign")
    day = local_day(zone(campaign.time_zone), now)
    kids = select(GuardianLink.student_id).where(GuardianLink.guardian_id == actor.id)
    rows = (
        await db.execute(
            select(FormTarget.subject_id, Person.name)
            .join(Person, Person.id == FormTarget.subject_id)
            .where(
                FormTarget.campaign_id == campaign.id,
                FormTarget.unit_id == unit_id,
                (FormTarget.subject_id == actor.id) | FormTarget.subject_id.in_(kids),
            )
            .order_by(Person.sort_key, Person.id)
        )
    ).all()
    done = set(
        (
            await db.execute(
                select(FormSubmission.subject_id).where(
                    FormSubmission.campaign_id == campaign.id,
                    FormSubmission.period == day,
                    FormSubmission.subject_id.in_([r[0] for r in rows]),
                )
            )
        ).scalars()
    )
    top = await access_unit(db, campaign.unit_id)
    unit = await access_unit(db, unit_id)
    stats = unit.path.startswith(top.path) and may_design(scope, unit)
    if not rows and not stats:
        raise NotFound("form_campaign")
    return EntryOut(
        campaign_id=campaign.id,
        name=campaign.name,
        unit_id=unit.id,
        closed=campaign.closed_at is not None,
        subjects=[EntrySubject(id=pid, name=name, submitted=pid in done) for pid, name in rows],
        stats=stats,
    )
