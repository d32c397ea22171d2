"""The demo company's daily report (docs/reports.md, "Demo"): 云帆科技's head makes the built-in
daily progress report the company's, due at 18:00 and reminded at 17:00 — so every employee has
a report to write to their department's head, and the heads a team to watch. Added once (a
report template of the company from that built-in), also to a demo database made before
reports existed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.forms.models import FormTemplate
from bellwork.org.access import load_scope
from bellwork.org.models import Person, Unit
from bellwork.reports import templates
from bellwork.reports.models import ReportTemplate
from bellwork.reports.schemas import ReportTemplateCreate

DEMO_COMPANY = "云帆科技有限公司"


async def demo_reports(db: AsyncSession) -> None:
    ceo = (await db.execute(select(Person).where(Person.username == "ceo"))).scalar_one_or_none()
    company = (
        await db.execute(select(Unit).where(Unit.name == DEMO_COMPANY, Unit.kind == "company"))
    ).scalar_one_or_none()
    if ceo is None or company is None:
        return
    done = await db.execute(
        select(ReportTemplate.id)
        .join(FormTemplate, FormTemplate.id == ReportTemplate.form_template_id)
        .where(ReportTemplate.unit_id == company.id, FormTemplate.builtin == "daily_progress")
    )
    if done.first() is not None:
        return
    actor = Actor(person=ceo)
    await templates.create(
        db,
        actor,
        await load_scope(db, actor),
        ReportTemplateCreate(
            unit_id=company.id,
            name="工作日报",
            builtin="daily_progress",
            period="daily",
            deadline="18:00",
            remind_before=60,
        ),
    )
