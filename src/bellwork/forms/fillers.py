"""Who fills a campaign's form and what it shows (docs/forms.md, "Filling"): the subjects a
person fills for, the target they may fill, and the newest version of its template. Shared by
filling.py and files.py (a photo is uploaded by whoever may fill the form)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.core.errors import Forbidden, NotFound
from bellwork.forms.models import FormCampaign, FormTarget, FormTemplate, FormVersion
from bellwork.org.models import GuardianLink


async def subjects_of(db: AsyncSession, person_id: int) -> list[int]:
    """Whom a person fills for: themself and the students they are a guardian of."""
    kids = (
        await db.execute(
            select(GuardianLink.student_id).where(GuardianLink.guardian_id == person_id)
        )
    ).scalars()
    return [person_id, *kids]


async def fill_target(
    db: AsyncSession, actor: Actor, campaign_id: int, subject_id: int
) -> FormTarget:
    """The target the person may fill: 404 for a campaign that does not ask about the subject
    (or does not exist); 403 `form_not_guardian` for someone else's child."""
    target = (
        await db.execute(
            select(FormTarget).where(
                FormTarget.campaign_id == campaign_id, FormTarget.subject_id == subject_id
            )
        )
    ).scalar_one_or_none()
    if target is None:
        raise NotFound("form_campaign")
    if subject_id != actor.id and subject_id not in await subjects_of(db, actor.id):
        raise Forbidden("form_not_guardian", errors=[{"field": "subject_id"}])
    return target


async def newest_version(db: AsyncSession, campaign: FormCampaign) -> FormVersion:
    """The version of the campaign's template a form opened now shows."""
    template = await db.get(FormTemplate, campaign.template_id)
    assert template is not None
    return (
        await db.execute(
            select(FormVersion).where(
                FormVersion.template_id == template.id, FormVersion.number == template.version
            )
        )
    ).scalar_one()
