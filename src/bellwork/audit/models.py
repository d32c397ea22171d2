from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bellwork.db.base import Base, BigId, utcnow


class AuditEntry(Base):
    """One administrative action: who did what to which thing, with the before/after state.

    `unit_id` is the unit the action was about besides its target, when there is one (the unit
    of a membership added or removed), so the entry stays under that unit in the log's unit
    filter after the person has left it. Not a foreign key: the log outlives what it names."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_target_type_target_id", "target_type", "target_id"),
        Index("ix_audit_entry_action_id", "action", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column(BigId)
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    address: Mapped[str | None] = mapped_column(String(64))
    # Last, as migration 0010 added it (the tables' shapes are compared in tests).
    unit_id: Mapped[int | None] = mapped_column(BigId, index=True)
