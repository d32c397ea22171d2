"""The demo school and company get their attendance rules and allowed places, added once."""

from __future__ import annotations

from sqlalchemy import select

from bellwork.attendance.demo import demo_attendance
from bellwork.attendance.models import AttendanceRule
from bellwork.attendance.rules import rule_for
from bellwork.demo import build_demo
from bellwork.org.models import Person, Unit
from tests.conftest import World


async def test_the_demo_school_and_company_have_a_rule_once(world: World) -> None:
    await build_demo(world.db)
    await demo_attendance(world.db)
    await demo_attendance(world.db)  # a second start of the demo server adds nothing
    rows = (
        await world.db.execute(
            select(Unit.name, AttendanceRule.kind, AttendanceRule.places)
            .join(AttendanceRule, AttendanceRule.unit_id == Unit.id)
            .order_by(Unit.name)
        )
    ).all()
    assert [(n, k, [p["name"] for p in places]) for n, k, places in rows] == [
        ("云帆科技有限公司", "fixed", ["云帆科技大厦"]),
        ("滨江实验小学", "school", ["学校大门"]),
    ]
    teacher = (
        await world.db.execute(select(Person).where(Person.username == "teacher"))
    ).scalar_one()
    applied = await rule_for(world.db, teacher.id)
    assert applied is not None and applied.rule.name == "滨江实验小学作息"
