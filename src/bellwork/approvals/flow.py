"""A template's flow (docs/approvals.md, "Flows"): its steps, whom each asks, when a step
applies, whom a request is copied to, and how long a step may wait before its approvers are
DINGed. Stored as JSON in `ApprovalFlow.flow`, one version per change; a request is planned on
the version it was submitted with (`plan`), so a later change never moves a request in flight.

ApproverRule by rule (`ApproverRule.kind`):
- `manager`: the submitter's direct manager — the nearest head of a unit they work in, above
  themselves (`org.managers.managers_of`, the same people a work report goes to);
- `unit_head`: the heads of the submitter's unit `levels` up (0: their own unit's heads);
- `role`: everyone with `role` in unit `unit_id` (e.g. the finance department's head);
- `people`: named people;
- `class_teacher`: the class teacher(s) of the request's subject (a student leave filed by a
  guardian for their child): teachers of the child's class titled 班主任 / class teacher, else
  all its teachers.

A step applies when all its `when` conditions hold on the answers (`amount > 5000`). The
submitter never approves their own request: they are left out of every step, and a step with
nobody left is skipped (said in the timeline)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.core.types import Id
from bellwork.forms.fields import Key, Label
from bellwork.org.managers import managers_of, working_units
from bellwork.org.models import Membership, Person, Role, Unit
from bellwork.org.settings import chain

MAX_STEPS = 20
CLASS_TEACHER_TITLES = ("班主任", "class teacher")


class ApproverRule(BaseModel):
    kind: Literal["manager", "unit_head", "role", "people", "class_teacher"]
    levels: Annotated[int, Field(ge=0, le=10)] = 0
    role: Literal["head", "staff", "teacher", "member"] | None = None
    unit_id: Id | None = None
    people: Annotated[list[Id], Field(max_length=50)] = []

    @model_validator(mode="after")
    def _complete(self) -> ApproverRule:
        if self.kind == "role" and (self.role is None or self.unit_id is None):
            raise ValueError("approval_rule_role")
        if self.kind == "people" and not self.people:
            raise ValueError("approval_rule_people")
        return self


class FlowCondition(BaseModel):
    field: Key
    op: Literal["gt", "ge", "lt", "le", "eq", "ne", "in"]
    value: str | int | float | bool | list[str | int | float]


class FlowStep(BaseModel):
    name: Label
    approvers: ApproverRule
    mode: Literal["all", "any"] = "any"
    when: Annotated[list[FlowCondition], Field(max_length=10)] = []


class FlowSpec(BaseModel):
    steps: Annotated[list[FlowStep], Field(min_length=1, max_length=MAX_STEPS)]
    cc: Annotated[list[ApproverRule], Field(max_length=10)] = []
    # A pending step's approvers are DINGed once after this many hours (0: never).
    overdue_hours: Annotated[int, Field(ge=0, le=24 * 30)] = 24
    # Leave requests: days per calendar year for each leave type (the balance shown and kept).
    leave_allowance: dict[str, Annotated[float, Field(ge=0, le=366)]] = {}


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def holds(cond: FlowCondition, answers: dict[str, Any]) -> bool:
    """Whether the condition holds on the answers (a missing answer makes it false, but `ne`)."""
    got = answers.get(cond.field)
    if cond.op == "in":
        wanted = cond.value if isinstance(cond.value, list) else [cond.value]
        values = got if isinstance(got, list) else [got]
        return any(str(v) == str(w) for v in values for w in wanted)
    if cond.op in ("eq", "ne"):
        a, b = _number(got), _number(cond.value)
        same = a == b if a is not None and b is not None else str(got) == str(cond.value)
        return same if cond.op == "eq" else not same
    a, b = _number(got), _number(cond.value)
    if a is None or b is None:
        return False
    return {"gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b}[cond.op]


def applies(step: FlowStep, answers: dict[str, Any]) -> bool:
    return all(holds(c, answers) for c in step.when)


async def _heads(db: AsyncSession, unit_ids: list[int], role: str = Role.head.value) -> list[int]:
    if not unit_ids:
        return []
    rows = await db.execute(
        select(Membership.person_id)
        .join(Person, Person.id == Membership.person_id)
        .where(
            Membership.unit_id.in_(unit_ids),
            Membership.role == role,
            Person.deactivated_at.is_(None),
        )
        .order_by(Membership.person_id)
    )
    return list(dict.fromkeys(int(p) for p in rows.scalars()))


async def class_teachers(db: AsyncSession, student_id: int) -> list[int]:
    """The class teachers of a student's classes (teachers titled 班主任), else its teachers."""
    classes = [
        int(u)
        for u in (
            await db.execute(
                select(Membership.unit_id)
                .join(Unit, Unit.id == Membership.unit_id)
                .where(
                    Membership.person_id == student_id,
                    Membership.role == Role.student.value,
                    Unit.archived_at.is_(None),
                )
            )
        ).scalars()
    ]
    if not classes:
        return []
    rows = (
        await db.execute(
            select(Membership.person_id, Membership.title)
            .join(Person, Person.id == Membership.person_id)
            .where(
                Membership.unit_id.in_(classes),
                Membership.role == Role.teacher.value,
                Person.deactivated_at.is_(None),
            )
            .order_by(Membership.person_id)
        )
    ).all()
    named = [int(p) for p, t in rows if (t or "").strip().lower() in CLASS_TEACHER_TITLES]
    return list(dict.fromkeys(named or [int(p) for p, _ in rows]))


async def resolve(
    db: AsyncSession, rule: ApproverRule, submitter_id: int, subject_id: int
) -> list[int]:
    """The people a rule names for a request, in a stable order."""
    if rule.kind == "manager":
        return await managers_of(db, submitter_id)
    if rule.kind == "unit_head":
        found: list[int] = []
        for _, path, _ in sorted(await working_units(db, submitter_id)):
            along = chain(path)
            if rule.levels < len(along):
                found += await _heads(db, [along[len(along) - 1 - rule.levels]])
        return list(dict.fromkeys(found))
    if rule.kind == "role":
        assert rule.role is not None and rule.unit_id is not None
        return await _heads(db, [rule.unit_id], rule.role)
    if rule.kind == "class_teacher":
        return await class_teachers(db, subject_id)
    alive = (
        await db.execute(
            select(Person.id).where(Person.id.in_(rule.people), Person.deactivated_at.is_(None))
        )
    ).scalars()
    ok = {int(p) for p in alive}
    return [p for p in dict.fromkeys(rule.people) if p in ok]


@dataclass
class PlannedStep:
    position: int
    name: Label
    mode: str
    approvers: list[int] = field(default_factory=list)


async def plan(
    db: AsyncSession, flow: FlowSpec, answers: dict[str, Any], submitter_id: int, subject_id: int
) -> tuple[list[PlannedStep], list[int]]:
    """The steps that apply to these answers with their approvers (the submitter left out),
    and the people copied."""
    steps: list[PlannedStep] = []
    for step in flow.steps:
        if not applies(step, answers):
            continue
        people = await resolve(db, step.approvers, submitter_id, subject_id)
        steps.append(
            PlannedStep(
                position=len(steps),
                name=step.name,
                mode=step.mode,
                approvers=[p for p in people if p != submitter_id],
            )
        )
    cc: list[int] = []
    for rule in flow.cc:
        cc += await resolve(db, rule, submitter_id, subject_id)
    return steps, [p for p in dict.fromkeys(cc) if p != submitter_id]
