"""A person's health-pass colour from their latest daily health check-in (forms/, issue 12).

A health check-in is a submission to a campaign whose template is the built-in student or
staff health check-in, or a school's own template made from one (`base_id`): those carry the
abnormal-answer rules (temperature ≥ 37.3 °C, a symptom, …) that mark a submission
`abnormal`. A student's check-in is the one filed about them (`subject_id`), whether they or a
guardian filled it. The colour:

- red: the latest check-in is abnormal;
- green: the latest check-in is normal and from today or yesterday (`FRESH_DAYS`);
- yellow: no check-in at all, or the latest is older (stale)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.forms.models import FormCampaign, FormSubmission, FormTemplate

HEALTH_BUILTINS = ("student_health", "staff_health")
FRESH_DAYS = 1  # a check-in of today or yesterday is current

Colour = Literal["green", "yellow", "red"]
Reason = Literal["normal", "abnormal", "missing", "stale"]


def _health_templates() -> ColumnElement[bool]:
    own = FormTemplate.builtin.in_(HEALTH_BUILTINS)
    based = FormTemplate.base_id.in_(
        select(FormTemplate.id).where(FormTemplate.builtin.in_(HEALTH_BUILTINS))
    )
    return or_(own, based)


async def latest_checkin(db: AsyncSession, subject_id: int) -> tuple[date, bool] | None:
    """(day, abnormal) of the person's latest health check-in, if any."""
    found = await db.execute(
        select(FormSubmission.period, FormSubmission.abnormal)
        .join(FormCampaign, FormCampaign.id == FormSubmission.campaign_id)
        .join(FormTemplate, FormTemplate.id == FormCampaign.template_id)
        .where(FormSubmission.subject_id == subject_id, _health_templates())
        .order_by(FormSubmission.period.desc(), FormSubmission.submitted_at.desc())
        .limit(1)
    )
    row = found.first()
    return None if row is None else (row[0], bool(row[1]))


def colour_of(latest: tuple[date, bool] | None, today: date) -> tuple[Colour, Reason]:
    if latest is None:
        return "yellow", "missing"
    day, abnormal = latest
    if abnormal:
        return "red", "abnormal"
    if day < today - timedelta(days=FRESH_DAYS):
        return "yellow", "stale"
    return "green", "normal"
