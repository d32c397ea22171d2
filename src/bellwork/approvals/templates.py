"""Approval templates: a forms template (`purpose="approval"`) and a versioned flow.

Who designs them is forms' rule (`forms.templates.may_design`); the questions are edited
through forms (`PUT /forms/templates/{id}`, a new form version once a request used the old
one) and the flow here (`PUT /approvals/templates/{id}/flow`, always a new flow version). Who
submits with one: those who work in its unit or below it — for a student leave, the guardians
of its students, for their children."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.approvals.builtin import BUILTINS, STUDENT_LEAVE, builtin, builtin_flow, builtin_name
from bellwork.approvals.flow import FlowSpec
from bellwork.approvals.models import ApprovalFlow, ApprovalTemplate
from bellwork.approvals.schemas import (
    ApprovalBuiltinOut,
    ApprovalTemplateCreate,
    ApprovalTemplateOut,
)
from bellwork.audit import service as audit
from bellwork.auth.service import Actor
from bellwork.core.errors import Invalid, NotFound
from bellwork.forms import templates as forms_templates
from bellwork.forms.models import FormTemplate, FormVersion
from bellwork.forms.schemas import TemplateCreate as FormCreate
from bellwork.org.access import Scope, access_unit
from bellwork.org.managers import working_units
from bellwork.org.models import GuardianLink, Membership, Person, Role, Unit
from bellwork.org.settings import chain
from bellwork.org.units import unit_labels

MAX_LISTED = 200
PURPOSE = "approval"


def builtins() -> list[ApprovalBuiltinOut]:
    return [
        ApprovalBuiltinOut(
            key=key,
            name=builtin_name(key),
            definition=builtin(key).model_dump(mode="json", exclude_none=True),
            flow=spec["flow"],
        )
        for key, spec in BUILTINS.items()
    ]


async def children_in(db: AsyncSession, guardian_id: int, within: str = "/") -> list[Person]:
    """A guardian's children who are students at or below `within`."""
    rows = await db.execute(
        select(Person)
        .join(GuardianLink, GuardianLink.student_id == Person.id)
        .join(Membership, Membership.person_id == Person.id)
        .join(Unit, Unit.id == Membership.unit_id)
        .where(
            GuardianLink.guardian_id == guardian_id,
            Membership.role == Role.student.value,
            Unit.path.startswith(within),
            Person.deactivated_at.is_(None),
        )
        .distinct()
    )
    return sorted(rows.scalars(), key=lambda p: p.id)


async def flow_of(db: AsyncSession, template_id: int, version: int) -> FlowSpec:
    row: dict[str, Any] = (
        await db.execute(
            select(ApprovalFlow.flow).where(
                ApprovalFlow.template_id == template_id, ApprovalFlow.version == version
            )
        )
    ).scalar_one()
    return FlowSpec.model_validate(row)


async def shape(
    db: AsyncSession, scope: Scope, at: ApprovalTemplate, ft: FormTemplate | None = None
) -> ApprovalTemplateOut:
    ft = ft or await db.get(FormTemplate, at.form_template_id)
    assert ft is not None
    version = await forms_templates.newest(db, ft)
    unit = await db.get(Unit, at.unit_id)
    assert unit is not None
    flow = await flow_of(db, at.id, at.flow_version)
    return ApprovalTemplateOut(
        id=at.id,
        form_template_id=ft.id,
        unit_id=at.unit_id,
        unit_name=(await unit_labels(db, [at.unit_id]))[at.unit_id],
        name=ft.name,
        kind=at.kind,
        version=ft.version,
        definition=version.definition,
        flow_version=at.flow_version,
        flow=flow.model_dump(mode="json"),
        may_edit=forms_templates.may_design(scope, unit),
    )


async def may_submit(db: AsyncSession, person_id: int, at: ApprovalTemplate) -> bool:
    unit = await db.get(Unit, at.unit_id)
    if unit is None:
        return False
    if at.kind == STUDENT_LEAVE:
        return bool(await children_in(db, person_id, unit.path))
    return any(p.startswith(unit.path) for _, p, _ in await working_units(db, person_id))


async def access_template(db: AsyncSession, scope: Scope, template_id: int) -> ApprovalTemplate:
    """A template one may submit with or design: 404 otherwise."""
    at = await db.get(ApprovalTemplate, template_id)
    if at is None or at.archived_at is not None:
        raise NotFound("approval_template")
    if scope.admin or await may_submit(db, scope.person_id, at):
        return at
    unit = await db.get(Unit, at.unit_id)
    if unit is not None and forms_templates.may_design(scope, unit):
        return at
    raise NotFound("approval_template")


async def _listed(
    db: AsyncSession, scope: Scope, unit_ids: set[int], only_submit: bool
) -> list[ApprovalTemplateOut]:
    if not unit_ids:
        return []
    rows = (
        await db.execute(
            select(ApprovalTemplate, FormTemplate)
            .join(FormTemplate, FormTemplate.id == ApprovalTemplate.form_template_id)
            .where(
                ApprovalTemplate.unit_id.in_(unit_ids),
                ApprovalTemplate.archived_at.is_(None),
                FormTemplate.archived_at.is_(None),
            )
            .order_by(ApprovalTemplate.id)
            .limit(MAX_LISTED)
        )
    ).all()
    out = []
    for at, ft in rows:
        if only_submit and not await may_submit(db, scope.person_id, at):
            continue
        out.append(await shape(db, scope, at, ft))
    return out


async def mine(db: AsyncSession, scope: Scope) -> list[ApprovalTemplateOut]:
    """The templates one submits with: of the units one works in and above, and a student
    leave of the units one's children study in and above."""
    ids = {u for _, path, _ in await working_units(db, scope.person_id) for u in chain(path)}
    kids = [c.id for c in await children_in(db, scope.person_id)]
    if kids:
        paths = await db.execute(
            select(Unit.path)
            .join(Membership, Membership.unit_id == Unit.id)
            .where(Membership.person_id.in_(kids), Membership.role == Role.student.value)
        )
        ids |= {u for p in paths.scalars() for u in chain(p)}
    return await _listed(db, scope, ids, only_submit=True)


async def of_unit(db: AsyncSession, scope: Scope, unit_id: int) -> list[ApprovalTemplateOut]:
    """A unit's templates and those above it, for those who design for it."""
    unit = await access_unit(db, unit_id)
    forms_templates.require_design(scope, unit)
    return await _listed(db, scope, set(chain(unit.path)), only_submit=False)


async def create(
    db: AsyncSession, actor: Actor, scope: Scope, data: ApprovalTemplateCreate
) -> ApprovalTemplateOut:
    flow = data.flow
    if flow is None and data.builtin is not None and data.builtin in BUILTINS:
        flow = builtin_flow(data.builtin, data.unit_id)
    if flow is None and data.builtin is None and data.definition is not None:
        raise Invalid("approval_flow_missing", errors=[{"field": "flow"}])
    form = FormCreate(
        unit_id=data.unit_id, name=data.name, builtin=data.builtin, definition=data.definition
    )
    # The source is checked here (exactly one of a known built-in and a definition), so a flow
    # is at hand after it; a flow naming questions the form lacks rolls the request back.
    ft = await forms_templates.create_purposed(db, actor, scope, form, PURPOSE, BUILTINS, builtin)
    assert flow is not None
    check_flow(flow, (await forms_templates.newest(db, ft)).definition)
    at = ApprovalTemplate(
        form_template_id=ft.id,
        unit_id=data.unit_id,
        kind=data.builtin,
        flow_version=1,
        created_by=actor.id,
    )
    db.add(at)
    await db.flush()
    db.add(
        ApprovalFlow(
            template_id=at.id, version=1, flow=flow.model_dump(mode="json"), created_by=actor.id
        )
    )
    await db.flush()
    await audit.record(
        db,
        actor.id,
        "approval.template.create",
        "approval_template",
        at.id,
        None,
        {"name": ft.name, "builtin": data.builtin},
        unit_id=at.unit_id,
    )
    return await shape(db, scope, at, ft)


def check_flow(flow: FlowSpec, definition: dict[str, Any]) -> None:
    """Every condition names a question of the form (422 `approval_condition_field`)."""
    keys = {f.get("key") for f in definition.get("fields", [])}
    for i, step in enumerate(flow.steps):
        for j, cond in enumerate(step.when):
            if cond.field not in keys:
                raise Invalid(
                    "approval_condition_field", errors=[{"field": f"flow.steps.{i}.when.{j}"}]
                )


async def _designable(db: AsyncSession, scope: Scope, template_id: int) -> ApprovalTemplate:
    at = await access_template(db, scope, template_id)
    forms_templates.require_design(scope, await access_unit(db, at.unit_id))
    return at


async def update_flow(
    db: AsyncSession, actor: Actor, scope: Scope, template_id: int, flow: FlowSpec
) -> ApprovalTemplateOut:
    """A new version of the flow; requests in flight keep the one they started with."""
    at = await _designable(db, scope, template_id)
    ft = await db.get(FormTemplate, at.form_template_id)
    assert ft is not None
    check_flow(flow, (await forms_templates.newest(db, ft)).definition)
    at.flow_version += 1
    db.add(
        ApprovalFlow(
            template_id=at.id,
            version=at.flow_version,
            flow=flow.model_dump(mode="json"),
            created_by=actor.id,
        )
    )
    await db.flush()
    await audit.record(
        db,
        actor.id,
        "approval.flow.update",
        "approval_template",
        at.id,
        None,
        {"flow_version": at.flow_version},
        unit_id=at.unit_id,
    )
    return await shape(db, scope, at, ft)


async def archive(
    db: AsyncSession, actor: Actor, scope: Scope, template_id: int, now: datetime
) -> None:
    at = await _designable(db, scope, template_id)
    at.archived_at = now
    await audit.record(
        db,
        actor.id,
        "approval.template.archive",
        "approval_template",
        at.id,
        None,
        {},
        unit_id=at.unit_id,
    )


async def form_version(db: AsyncSession, at: ApprovalTemplate, number: int) -> FormVersion:
    return await forms_templates.numbered(
        db, at.form_template_id, number, "approval_version_unknown"
    )


async def template_name(db: AsyncSession, at: ApprovalTemplate) -> str:
    return await forms_templates.name_of(db, at.form_template_id)
