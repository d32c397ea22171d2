"""The demo company gets the built-in daily progress report, added once."""

from __future__ import annotations

from sqlalchemy import select

from bellwork.demo import build_demo
from bellwork.forms.models import FormTemplate
from bellwork.reports.demo import demo_reports
from bellwork.reports.models import ReportTemplate
from tests.conftest import World


async def test_the_demo_company_has_a_daily_report_once(world: World) -> None:
    await build_demo(world.db)
    await demo_reports(world.db)
    await demo_reports(world.db)  # a second start of the demo server adds nothing
    rows = (
        await world.db.execute(
            select(FormTemplate.name, FormTemplate.purpose, ReportTemplate.period).join(
                ReportTemplate, ReportTemplate.form_template_id == FormTemplate.id
            )
        )
    ).all()
    assert [tuple(r) for r in rows] == [("工作日报", "report", "daily")]
