"""Report templates: a forms template (`purpose="report"`) and how often it is written.

Who designs them is forms' rule (`forms.templates.may_design`: the unit's heads, its teachers,
admins); its questions are edited through forms (`PUT /forms/templates/{id}`), which makes a
new version once a report was written on the old one. Who writes with one: the people who
work in its unit or below it (heads, staff, teachers, members — not students or guardians)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit import service as audit
from bellwork.auth.service import Actor
from bellwork.core.errors import NotFound
from bellwork.forms import templates as forms_templates
from bellwork.forms.models import FormTemplate, FormVersion
from bellwork.forms.schemas import TemplateCreate as FormCreate
from bellwork.org.access import Scope, access_unit
from bellwork.org.managers import working_units
from bellwork.org.models import Unit
from bellwork.org.settings import chain
from bellwork.org.units import unit_labels
from bellwork.reports.builtin import BUILTINS, builtin, builtin_name
from bellwork.reports.models import ReportTemplate
from bellwork.reports.schemas import (
    ReportBuiltinOut,
    ReportTemplateCreate,
    ReportTemplateOut,
    ReportTemplateUpdate,
)

MAX_LISTED = 200


def builtins() -> list[ReportBuiltinOut]:
    return [
        ReportBuiltinOut(
            key=key,
            name=builtin_name(key),
            period=spec["period"],
            definition=builtin(key).model_dump(mode="json", exclude_none=True),
        )
        for key, spec in BUILTINS.items()
    ]


async def shape(
    db: AsyncSession, scope: Scope, rt: ReportTemplate, ft: FormTemplate | None = None
) -> ReportTemplateOut:
    ft = ft or await db.get(FormTemplate, rt.form_template_id)
    assert ft is not None
    version = await forms_templates.newest(db, ft)
    unit = await db.get(Unit, rt.unit_id)
    assert unit is not None
    return ReportTemplateOut(
        id=rt.id,
        form_template_id=ft.id,
        unit_id=rt.unit_id,
        unit_name=(await unit_labels(db, [rt.unit_id]))[rt.unit_id],
        name=ft.name,
        builtin=ft.builtin,
        period=rt.period,
        deadline=rt.deadline,
        required=rt.required,
        remind_before=rt.remind_before,
        remind_by=rt.remind_by,
        version=ft.version,
        definition=version.definition,
        may_edit=forms_templates.may_design(scope, unit),
    )


async def may_write(db: AsyncSession, person_id: int, rt: ReportTemplate) -> bool:
    unit = await db.get(Unit, rt.unit_id)
    if unit is None:
        return False
    return any(p.startswith(unit.path) for _, p, _ in await working_units(db, person_id))


async def access_template(db: AsyncSession, scope: Scope, template_id: int) -> ReportTemplate:
    """A template the person may write with or design: 404 otherwise."""
    rt = await db.get(ReportTemplate, template_id)
    if rt is None or rt.archived_at is not None:
        raise NotFound("report_template")
    if scope.admin or await may_write(db, scope.person_id, rt):
        return rt
    unit = await db.get(Unit, rt.unit_id)
    if unit is not None and forms_templates.may_design(scope, unit):
        return rt
    raise NotFound("report_template")


async def _listed(db: AsyncSession, scope: Scope, unit_ids: set[int]) -> list[ReportTemplateOut]:
    if not unit_ids:
        return []
    rows = (
        await db.execute(
            select(ReportTemplate, FormTemplate)
            .join(FormTemplate, FormTemplate.id == ReportTemplate.form_template_id)
            .where(
                ReportTemplate.unit_id.in_(unit_ids),
                ReportTemplate.archived_at.is_(None),
                FormTemplate.archived_at.is_(None),
            )
            .order_by(ReportTemplate.id)
            .limit(MAX_LISTED)
        )
    ).all()
    return [await shape(db, scope, rt, ft) for rt, ft in rows]


async def mine(db: AsyncSession, scope: Scope) -> list[ReportTemplateOut]:
    """The templates the person writes with: those of the units they work in and above."""
    ids = {u for _, path, _ in await working_units(db, scope.person_id) for u in chain(path)}
    return await _listed(db, scope, ids)


async def of_unit(db: AsyncSession, scope: Scope, unit_id: int) -> list[ReportTemplateOut]:
    """A unit's templates and those above it, for those who design for it."""
    unit = await access_unit(db, unit_id)
    forms_templates.require_design(scope, unit)
    return await _listed(db, scope, set(chain(unit.path)))


async def create(
    db: AsyncSession, actor: Actor, scope: Scope, data: ReportTemplateCreate
) -> ReportTemplateOut:
    form = FormCreate(
        unit_id=data.unit_id, name=data.name, builtin=data.builtin, definition=data.definition
    )
    ft = await forms_templates.create_purposed(db, actor, scope, form, "report", BUILTINS, builtin)
    rt = ReportTemplate(
        form_template_id=ft.id,
        unit_id=data.unit_id,
        period=data.period,
        deadline=data.deadline,
        required=data.required,
        remind_before=data.remind_before,
        remind_by=data.remind_by,
        created_by=actor.id,
    )
    db.add(rt)
    await db.flush()
    await audit.record(
        db,
        actor.id,
        "report.template.create",
        "report_template",
        rt.id,
        None,
        {"name": ft.name, "period": rt.period, "deadline": rt.deadline},
        unit_id=rt.unit_id,
    )
    return await shape(db, scope, rt, ft)


async def _designable(db: AsyncSession, scope: Scope, template_id: int) -> ReportTemplate:
    rt = await access_template(db, scope, template_id)
    forms_templates.require_design(scope, await access_unit(db, rt.unit_id))
    return rt


async def update(
    db: AsyncSession, actor: Actor, scope: Scope, template_id: int, data: ReportTemplateUpdate
) -> ReportTemplateOut:
    rt = await _designable(db, scope, template_id)
    changes = data.model_dump(exclude_none=True)
    before = {k: getattr(rt, k) for k in changes}
    for k, v in changes.items():
        setattr(rt, k, v)
    await db.flush()
    if before != changes:
        await audit.record(
            db,
            actor.id,
            "report.template.update",
            "report_template",
            rt.id,
            before,
            changes,
            unit_id=rt.unit_id,
        )
    return await shape(db, scope, rt)


async def archive(
    db: AsyncSession, actor: Actor, scope: Scope, template_id: int, now: datetime
) -> None:
    rt = await _designable(db, scope, template_id)
    rt.archived_at = now
    await audit.record(
        db,
        actor.id,
        "report.template.archive",
        "report_template",
        rt.id,
        None,
        {"period": rt.period},
        unit_id=rt.unit_id,
    )


async def version_definition(db: AsyncSession, rt: ReportTemplate, number: int) -> FormVersion:
    return await forms_templates.numbered(db, rt.form_template_id, number, "report_version_unknown")


async def template_name(db: AsyncSession, rt: ReportTemplate) -> str:
    return await forms_templates.name_of(db, rt.form_template_id)
