"""The demo's approval templates (docs/approvals.md, "Demo"): 云帆科技's head makes the built-in
leave request, expense claim and purchase the company's — so an engineer asks their
department's head for leave — and the first school's principal makes the student leave the
school's, so a guardian files one for their child and the class teacher approves it. Added
once each (a template of the unit from that built-in), also to a demo database made before
approvals existed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.approvals import templates
from bellwork.approvals.builtin import (
    BUILTINS,
    CORRECTION,
    EXPENSE,
    LEAVE,
    PURCHASE,
    STUDENT_LEAVE,
)
from bellwork.approvals.models import ApprovalTemplate
from bellwork.approvals.schemas import ApprovalTemplateCreate
from bellwork.auth.service import Actor
from bellwork.org.access import load_scope
from bellwork.org.models import Person, Unit

DEMO_COMPANY = "云帆科技有限公司"
DEMO_SCHOOL = "滨江实验小学"


async def _add(db: AsyncSession, username: str, unit_name: str, kinds: list[str]) -> None:
    head = (
        await db.execute(select(Person).where(Person.username == username))
    ).scalar_one_or_none()
    unit = (await db.execute(select(Unit).where(Unit.name == unit_name))).scalar_one_or_none()
    if head is None or unit is None:
        return
    actor = Actor(person=head)
    scope = await load_scope(db, actor)
    for kind in kinds:
        done = await db.execute(
            select(ApprovalTemplate.id).where(
                ApprovalTemplate.unit_id == unit.id, ApprovalTemplate.kind == kind
            )
        )
        if done.first() is not None:
            continue
        name = BUILTINS[kind]["name"]["zh-CN"]
        await templates.create(
            db, actor, scope, ApprovalTemplateCreate(unit_id=unit.id, name=name, builtin=kind)
        )


async def demo_approvals(db: AsyncSession) -> None:
    await _add(db, "ceo", DEMO_COMPANY, [LEAVE, EXPENSE, PURCHASE, CORRECTION])
    await _add(db, "principal", DEMO_SCHOOL, [STUDENT_LEAVE])
