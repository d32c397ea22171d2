"""The demo company gets the built-in leave, expense, purchase and correction templates, the
first school the student leave, each once; a demo guardian's student leave goes to the class
teacher."""

from __future__ import annotations

from sqlalchemy import select

from bellwork.approvals.demo import demo_approvals
from bellwork.approvals.flow import class_teachers
from bellwork.approvals.models import ApprovalTemplate
from bellwork.demo import build_demo, demo_logins
from bellwork.forms.models import FormTemplate
from bellwork.org.models import GuardianLink, Person
from tests.conftest import World


async def test_the_demo_has_its_approval_templates_once(world: World) -> None:
    await build_demo(world.db)
    await demo_approvals(world.db)
    await demo_approvals(world.db)  # a second start of the demo server adds nothing
    rows = (
        await world.db.execute(
            select(FormTemplate.name, FormTemplate.purpose, ApprovalTemplate.kind)
            .join(ApprovalTemplate, ApprovalTemplate.form_template_id == FormTemplate.id)
            .order_by(ApprovalTemplate.id)
        )
    ).all()
    assert [tuple(r) for r in rows] == [
        ("请假", "approval", "leave"),
        ("报销", "approval", "expense"),
        ("采购", "approval", "purchase"),
        ("补卡", "approval", "correction"),
        ("学生请假", "approval", "student_leave"),
    ]
    logins = {label: login for label, login, _ in await demo_logins(world.db)}
    guardian = (
        await world.db.execute(select(Person).where(Person.phone == logins["Guardian / 家长"]))
    ).scalar_one()
    child = (
        await world.db.execute(
            select(GuardianLink.student_id).where(GuardianLink.guardian_id == guardian.id)
        )
    ).scalar_one()
    teacher = (
        await world.db.execute(select(Person).where(Person.username == "teacher"))
    ).scalar_one()
    assert await class_teachers(world.db, child) == [teacher.id]
