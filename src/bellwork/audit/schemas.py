"""The audit log as the API answers it: each entry in the reader's words beside its raw data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class Ref(BaseModel):
    """A person, unit or other thing an entry names. `label` is what to show: its name, or
    "(已删除) #12" / "(deleted) #12" when it no longer exists."""

    type: str
    id: int | None
    name: str | None = Field(description="Its current name; null when deleted or nameless")
    deleted: bool = False
    label: str


class Shown(BaseModel):
    """One value in the reader's words ("—" when empty); `ref` when it names a person or unit."""

    text: str
    ref: Ref | None = None


class ChangeOut(BaseModel):
    """One field of the entry. `before`/`after` is null for a side the action has not (a
    creation has no before); unchanged fields of an update are left out."""

    field: str
    label: str
    before: Shown | None
    after: Shown | None


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: Ref | None = Field(description="null: done by the system (a command, a job)")
    action: str
    action_label: str
    target_type: str
    target_id: int | None
    target: Ref
    changes: list[ChangeOut]
    before: dict[str, Any] | None = Field(description="As recorded")
    after: dict[str, Any] | None = Field(description="As recorded")
    address: str | None


class ActionOut(BaseModel):
    action: str
    label: str
    target_type: str
