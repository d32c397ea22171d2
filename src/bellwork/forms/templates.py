"""Form templates and their versions (docs/forms.md, "Templates").

- Who designs: installation admins, heads of the unit or above it, and the unit's teachers
  (a class teacher's own head count) — `may_design`, the one place the rule lives.
- A unit uses its own templates and those of the units above it (a bureau's check-in is
  offered to every school below it).
- Saving a template whose newest version has a submission makes a new version; until then the
  newest version is changed in place. A submission keeps the version its filler opened.
- A template made from one above (`base_id`, "add our own questions to the bureau's") keeps
  every question and rule of it unchanged: the bureau's figures add up across schools."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit import service as audit
from bellwork.auth.service import Actor
from bellwork.core.errors import Forbidden, Invalid, NotFound
from bellwork.forms.builtin import BUILTINS, builtin
from bellwork.forms.fields import label_text
from bellwork.forms.models import FormTemplate, FormVersion
from bellwork.forms.rules import FormDefinition
from bellwork.forms.schemas import (
    BuiltinOut,
    TemplateCreate,
    TemplateOut,
    TemplateUpdate,
    VersionOut,
)
from bellwork.org.access import Scope, access_unit
from bellwork.org.models import Unit
from bellwork.org.settings import chain
from bellwork.org.units import unit_labels

MAX_TEMPLATES_LISTED = 200


def may_design(scope: Scope, unit: Unit) -> bool:
    return scope.manages_path(unit.path) or unit.id in scope.teacher_units


def require_design(scope: Scope, unit: Unit) -> None:
    if not may_design(scope, unit):
        raise Forbidden("form_not_allowed")


def builtins() -> list[BuiltinOut]:
    return [
        BuiltinOut(
            key=key,
            name=label_text(spec["name"]),
            definition=builtin(key).model_dump(mode="json", exclude_none=True),
        )
        for key, spec in BUILTINS.items()
    ]


def _locked(base: dict[str, Any] | None) -> list[str]:
    return [f["key"] for f in base["fields"]] if base else []


def keeps_base(base: dict[str, Any], new: dict[str, Any]) -> bool:
    """Every question and rule of `base` is in `new`, unchanged, in the same order."""
    by_key = {f["key"]: f for f in new["fields"]}
    if any(by_key.get(f["key"]) != f for f in base["fields"]):
        return False
    order = [f["key"] for f in new["fields"] if f["key"] in {b["key"] for b in base["fields"]}]
    if order != [f["key"] for f in base["fields"]]:
        return False
    return all(rule in new.get("rules", []) for rule in base.get("rules", []))


def _dump(defn: FormDefinition) -> dict[str, Any]:
    return defn.model_dump(mode="json", exclude_none=True)


async def newest(db: AsyncSession, template: FormTemplate) -> FormVersion:
    version = (
        await db.execute(
            select(FormVersion).where(
                FormVersion.template_id == template.id, FormVersion.number == template.version
            )
        )
    ).scalar_one()
    return version


async def _base_definition(db: AsyncSession, template: FormTemplate) -> dict[str, Any] | None:
    if template.base_id is None:
        return None
    base = await db.get(FormTemplate, template.base_id)
    return None if base is None else (await newest(db, base)).definition


async def _shape(db: AsyncSession, scope: Scope, template: FormTemplate) -> TemplateOut:
    unit = await access_unit(db, template.unit_id)
    version = await newest(db, template)
    return TemplateOut(
        id=template.id,
        unit_id=unit.id,
        unit_name=(await unit_labels(db, [unit.id]))[unit.id],
        name=template.name,
        builtin=template.builtin,
        base_id=template.base_id,
        version=template.version,
        definition=version.definition,
        locked_keys=_locked(await _base_definition(db, template)),
        may_edit=may_design(scope, unit),
        created_at=template.created_at,
    )


async def access_template(db: AsyncSession, scope: Scope, template_id: int) -> FormTemplate:
    """A template the person may use: of a unit they may design for, or above one. 404
    otherwise, as for one that does not exist."""
    template = await db.get(FormTemplate, template_id)
    if template is None or template.archived_at is not None:
        raise NotFound("form_template")
    if scope.admin:
        return template
    unit = await access_unit(db, template.unit_id)
    if may_design(scope, unit):
        return template
    # Templates of units above one they design for.
    mine = await _design_units(db, scope)
    if any(unit.path in _prefixes(u.path) for u in mine):
        return template
    raise NotFound("form_template")


def _prefixes(path: str) -> set[str]:
    parts = [p for p in path.strip("/").split("/") if p]
    return {"/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)}


async def _design_units(db: AsyncSession, scope: Scope) -> list[Unit]:
    """The units the person designs for at the top: the ones they head, and their classes."""
    ids = set(scope.teacher_units)
    found: list[Unit] = []
    if ids:
        found.extend((await db.execute(select(Unit).where(Unit.id.in_(ids)))).scalars())
    if scope.head_paths:
        found.extend(
            (await db.execute(select(Unit).where(Unit.path.in_(scope.head_paths)))).scalars()
        )
    return found


async def list_templates(db: AsyncSession, scope: Scope, unit_id: int) -> list[TemplateOut]:
    """The templates a unit may use: its own and those of the units above it, nearest first."""
    unit = await access_unit(db, unit_id)
    require_design(scope, unit)
    above = chain(unit.path)
    rows = (
        await db.execute(
            select(FormTemplate)
            .where(
                FormTemplate.unit_id.in_(above),
                FormTemplate.archived_at.is_(None),
                FormTemplate.purpose == "form",
            )
            .order_by(FormTemplate.id.desc())
            .limit(MAX_TEMPLATES_LISTED)
        )
    ).scalars()
    depth = {uid: i for i, uid in enumerate(above)}
    ordered = sorted(rows, key=lambda t: (-depth[t.unit_id], -t.id))
    return [await _shape(db, scope, t) for t in ordered]


async def create(db: AsyncSession, actor: Actor, scope: Scope, data: TemplateCreate) -> TemplateOut:
    unit = await access_unit(db, data.unit_id)
    require_design(scope, unit)
    given = [x for x in (data.builtin, data.base_id) if x is not None]
    if len(given) > 1 or (data.builtin is not None and data.definition is not None):
        raise Invalid("form_template_source", errors=[{"field": "definition"}])
    base: FormTemplate | None = None
    if data.builtin is not None:
        if data.builtin not in BUILTINS:
            raise Invalid("form_builtin_unknown", errors=[{"field": "builtin"}])
        definition = _dump(builtin(data.builtin))
    elif data.base_id is not None:
        base = await access_template(db, scope, data.base_id)
        if base.unit_id not in chain(unit.path):
            raise Invalid("form_base_not_above", errors=[{"field": "base_id"}])
        base_def = (await newest(db, base)).definition
        definition = _dump(data.definition) if data.definition is not None else base_def
        if not keeps_base(base_def, definition):
            raise Invalid("form_base_changed", errors=[{"field": "definition"}])
    elif data.definition is not None:
        definition = _dump(data.definition)
    else:
        raise Invalid("form_template_source", errors=[{"field": "definition"}])
    template = FormTemplate(
        unit_id=unit.id,
        name=data.name,
        builtin=data.builtin or (base.builtin if base else None),
        base_id=base.id if base else None,
        version=1,
        created_by=actor.id,
    )
    db.add(template)
    await db.flush()
    db.add(
        FormVersion(template_id=template.id, number=1, definition=definition, created_by=actor.id)
    )
    await db.flush()
    await audit.record(
        db,
        actor.id,
        "form.template.create",
        "form_template",
        template.id,
        None,
        {"name": data.name, "version": 1},
        unit_id=unit.id,
    )
    return await _shape(db, scope, template)


async def create_purposed(
    db: AsyncSession,
    actor: Actor,
    scope: Scope,
    data: TemplateCreate,
    purpose: str,
    builtins: Mapping[str, Any],
    made_from: Callable[[str], FormDefinition],
) -> FormTemplate:
    """A forms template made for another domain (a report's, an approval's): from one of
    that domain's built-ins (`data.builtin`, through `made_from`) or from `data.definition`,
    exactly one of them (422 `form_template_source`, `form_builtin_unknown`), marked with
    `purpose` so forms' own lists leave it out."""
    if (data.builtin is None) == (data.definition is None):
        raise Invalid("form_template_source", errors=[{"field": "definition"}])
    if data.builtin is not None and data.builtin not in builtins:
        raise Invalid("form_builtin_unknown", errors=[{"field": "builtin"}])
    definition = made_from(data.builtin) if data.builtin is not None else data.definition
    made = await create(
        db,
        actor,
        scope,
        TemplateCreate(unit_id=data.unit_id, name=data.name, definition=definition),
    )
    ft = await db.get(FormTemplate, made.id)
    assert ft is not None
    ft.purpose = purpose
    ft.builtin = data.builtin
    return ft


async def numbered(db: AsyncSession, template_id: int, number: int, unknown: str) -> FormVersion:
    """Version `number` of a template (422 `unknown`, on `version`, when it has none)."""
    row = (
        await db.execute(
            select(FormVersion).where(
                FormVersion.template_id == template_id, FormVersion.number == number
            )
        )
    ).scalar_one_or_none()
    if row is None:
        raise Invalid(unknown, errors=[{"field": "version"}])
    return row


async def name_of(db: AsyncSession, template_id: int) -> str:
    """A template's name in the request's language ('' when it is gone)."""
    ft = await db.get(FormTemplate, template_id)
    return label_text(ft.name) if ft is not None else ""


async def get(db: AsyncSession, scope: Scope, template_id: int) -> TemplateOut:
    return await _shape(db, scope, await access_template(db, scope, template_id))


async def update(
    db: AsyncSession, actor: Actor, scope: Scope, template_id: int, data: TemplateUpdate
) -> TemplateOut:
    """Renames and/or saves new questions. Questions saved over a version someone filled make
    the next version; the filled one stays as it was."""
    template = await access_template(db, scope, template_id)
    require_design(scope, await access_unit(db, template.unit_id))
    before = {"name": template.name, "version": template.version}
    if data.name is not None:
        template.name = data.name
    if data.definition is not None:
        definition = _dump(data.definition)
        base_def = await _base_definition(db, template)
        if base_def is not None and not keeps_base(base_def, definition):
            raise Invalid("form_base_changed", errors=[{"field": "definition"}])
        current = await lock_newest(db, template)
        if current.definition != definition:
            if current.used:
                template.version += 1
                db.add(
                    FormVersion(
                        template_id=template.id,
                        number=template.version,
                        definition=definition,
                        created_by=actor.id,
                    )
                )
            else:
                current.definition = definition
    await db.flush()
    after = {"name": template.name, "version": template.version}
    if after != before:
        await audit.record(
            db,
            actor.id,
            "form.template.update",
            "form_template",
            template.id,
            {k: v for k, v in before.items() if after[k] != v},
            {k: v for k, v in after.items() if before[k] != v},
            unit_id=template.unit_id,
        )
    return await _shape(db, scope, template)


async def lock_newest(db: AsyncSession, template: FormTemplate) -> FormVersion:
    """The newest version, locked against a submission marking it used meanwhile (PostgreSQL;
    SQLite writes one transaction at a time)."""
    return (
        await db.execute(
            select(FormVersion)
            .where(FormVersion.template_id == template.id, FormVersion.number == template.version)
            .with_for_update()
        )
    ).scalar_one()


async def version(db: AsyncSession, scope: Scope, template_id: int, number: int) -> VersionOut:
    template = await access_template(db, scope, template_id)
    row = (
        await db.execute(
            select(FormVersion).where(
                FormVersion.template_id == template.id, FormVersion.number == number
            )
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("form_version")
    return VersionOut(
        template_id=template.id,
        number=row.number,
        definition=row.definition,
        created_at=row.created_at,
    )


async def archive(
    db: AsyncSession, actor: Actor, scope: Scope, template_id: int, now: datetime
) -> None:
    template = await access_template(db, scope, template_id)
    require_design(scope, await access_unit(db, template.unit_id))
    template.archived_at = now
    await audit.record(
        db,
        actor.id,
        "form.template.archive",
        "form_template",
        template.id,
        None,
        {"name": template.name},
        unit_id=template.unit_id,
    )
