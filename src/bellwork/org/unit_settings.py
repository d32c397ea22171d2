"""Reading and editing a unit's settings (time zone, who may DING, SMS and voice quotas, the DING
escalation policy): admins and the unit's heads (heads above it included). What a unit does
not set it inherits from the nearest unit above that does (org/settings.py); the answer says
where each value comes from. Each change is in the audit log (`unit.settings`)."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit.service import record
from bellwork.auth.service import Actor
from bellwork.org import access
from bellwork.org.access import Scope
from bellwork.org.models import Unit
from bellwork.org.settings import nearest, settings_along
from bellwork.org.settings_schemas import (
    DEFAULTS,
    SETTING_NAMES,
    SettingSource,
    UnitSettingsOut,
    UnitSettingsUpdate,
    UnitSettingsValues,
)

log = logging.getLogger("bellwork.org")


def _valid(name: str, value: Any, unit_id: int) -> Any | None:
    """A stored value as the schema reads it; None (with a warning) for one that is not valid
    (written by hand into the row): read as the default, as the code that uses it does."""
    try:
        checked = UnitSettingsValues.model_validate({name: value})
    except ValidationError:
        log.warning("unit %s: setting %s=%r is not valid; ignored", unit_id, name, value)
        return None
    return getattr(checked, name)


async def read_settings(db: AsyncSession, scope: Scope, unit: Unit) -> UnitSettingsOut:
    access.require_manage_unit(scope, unit)
    along = await settings_along(db, [unit.path])
    names = dict((await db.execute(select(Unit.id, Unit.name).where(Unit.id.in_(along)))).all())
    own: dict[str, Any] = {}
    effective: dict[str, Any] = {}
    sources: dict[str, SettingSource | None] = {}
    for name in SETTING_NAMES:
        mine = along.get(unit.id, {}).get(name)
        own[name] = _valid(name, mine, unit.id) if mine is not None else None
        found = nearest(unit.path, along, name)
        value = _valid(name, found[1], found[0]) if found is not None else None
        if found is not None and value is not None:
            effective[name] = value
            sources[name] = SettingSource(unit_id=found[0], unit_name=names.get(found[0], ""))
        else:
            effective[name] = getattr(DEFAULTS, name)
            sources[name] = None
    return UnitSettingsOut(
        unit_id=unit.id,
        own=UnitSettingsValues(**own),
        effective=UnitSettingsValues(**effective),
        sources=sources,
        defaults=DEFAULTS,
    )


async def update_settings(
    db: AsyncSession, actor: Actor, scope: Scope, unit: Unit, data: UnitSettingsUpdate
) -> UnitSettingsOut:
    """Sets (a value) or clears (null) the settings named in the request on this unit."""
    access.require_manage_unit(scope, unit)
    current = dict(unit.settings or {})
    dumped = data.model_dump(mode="json")
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name in data.model_fields_set & set(SETTING_NAMES):
        value = dumped[name]
        old = current.get(name)
        if value == old:
            continue
        before[name], after[name] = old, value
        if value is None:
            current.pop(name, None)
        else:
            current[name] = value
    if after:
        unit.settings = current  # a new dict: the JSON column sees the change
        await db.flush()
        await record(db, actor.id, "unit.settings", "unit", unit.id, before, after)
    return await read_settings(db, scope, unit)
