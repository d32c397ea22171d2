"""Health data is kept only as long as the organisation says (issue 12, "Privacy"): the unit
setting `form_retention_days` (inherited down the tree; 30 days by default) of a campaign's
unit. Every hour the `forms.retention` job deletes, campaign by campaign, the submissions of
days older than that — with their photos and files, their abnormal cases and the cases' notes
— and the exports made from them. What stays is anonymous: the per-class counters and answer
counts, so last month's figures and trends still show, with no name and no answer of anyone."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.forms import files
from bellwork.forms.models import FormCampaign, FormCase, FormExport, FormSubmission
from bellwork.org.settings import unit_setting, zone

SETTING = "form_retention_days"
DEFAULT_DAYS = 30
BATCH = 5000


async def retention_days(db: AsyncSession, unit_id: int) -> int:
    value = await unit_setting(db, unit_id, SETTING)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 3650:
        return value
    return DEFAULT_DAYS


async def sweep(db: AsyncSession, now: datetime) -> int:
    """Deletes what every campaign keeps past its retention; how many submissions went."""
    gone = 0
    campaigns = (
        await db.execute(select(FormCampaign.id, FormCampaign.unit_id, FormCampaign.time_zone))
    ).all()
    for cid, unit_id, tz in campaigns:
        keep_from = now.astimezone(zone(tz)).date() - timedelta(
            days=await retention_days(db, unit_id)
        )
        while True:
            ids = list(
                (
                    await db.execute(
                        select(FormSubmission.id)
                        .where(FormSubmission.campaign_id == cid, FormSubmission.period < keep_from)
                        .limit(BATCH)
                    )
                ).scalars()
            )
            if not ids:
                break
            await files.drop_of(db, ids)
            await db.execute(delete(FormCase).where(FormCase.submission_id.in_(ids)))
            await db.execute(delete(FormSubmission).where(FormSubmission.id.in_(ids)))
            gone += len(ids)
        await db.execute(
            delete(FormExport).where(FormExport.campaign_id == cid, FormExport.start < keep_from)
        )
    return gone
