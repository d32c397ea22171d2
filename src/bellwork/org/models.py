"""The organisation tree, people and their places in it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from bellwork.db.base import Base, BigId, CText, utcnow
from bellwork.org.search import sort_key


class UnitKind(StrEnum):
    bureau = "bureau"
    school = "school"
    grade = "grade"
    klass = "class"
    company = "company"
    department = "department"
    team = "team"


class Role(StrEnum):
    head = "head"
    staff = "staff"
    teacher = "teacher"
    student = "student"
    guardian = "guardian"
    member = "member"


class Unit(Base):
    """One node of the installation's single tree.

    `path` is the materialised chain of ids from the root, "/1/7/42/", so "everything under X" is
    the indexed prefix query `path >= X.path AND path < X.path || '0'` ('0' sorts right after '/').
    """

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("unit.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(CText(1000), unique=True)
    depth: Mapped[int] = mapped_column(default=0)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Person(Base):
    """An account. A person without a password cannot log in until an admin issues one."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    sort_key: Mapped[str] = mapped_column(CText(200), index=True, default="")
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    student_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    title: Mapped[str | None] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    is_admin: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str | None] = mapped_column(String(10))
    deactivated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # 头像: the store key of the square photo (org/photos.py); its thumbnail is the same key
    # with ".thumb". A new photo has a new key, so the key also versions the photo's URL.
    photo_key: Mapped[str | None] = mapped_column(String(64))

    @validates("name")
    def _set_sort_key(self, _key: str, value: str) -> str:
        self.sort_key = sort_key(value)
        return value

    @property
    def active(self) -> bool:
        return self.deactivated_at is None


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("person_id", "unit_id", "role"),
        Index("ix_membership_unit_id_role", "unit_id", "role"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GuardianLink(Base):
    """`guardian` is a guardian of `student` (relation: mother, father, grandparent, ...)."""

    __tablename__ = "guardian_link"
    __table_args__ = (UniqueConstraint("guardian_id", "student_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    guardian_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    relation: Mapped[str | None] = mapped_column(String(32))


class ImportMapping(Base):
    """Columns a person mapped by hand for a unit's imports of one kind, remembered when an
    import using them was applied and offered again for a file with the same headings
    (org/importer/memory.py). `signature` identifies the set of headings; `columns` holds only
    what differs from the synonyms: heading key → field, or None for a column ignored."""

    __tablename__ = "import_mapping"
    __table_args__ = (UniqueConstraint("unit_id", "kind", "signature"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(64))
    headings: Mapped[list[str]] = mapped_column(JSON)
    columns: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PersonSearchKey(Base):
    """Prefix-searchable keys of a person: name and its tail, pinyin, initials, phone, number.

    One row per key; a lookup is an indexed range scan `key >= q AND key < q || U+FFFF`.
    `rank` orders the matches (org/search.py: 0 the name and its common reading, 1 an
    identifier, 2 a rare reading); both indexes carry it, so ranking reads no table rows.
    """

    __tablename__ = "person_search_key"
    __table_args__ = (
        Index("ix_person_search_key_key", "key", "person_id", "rank"),
        Index("ix_person_search_key_person_id_key", "person_id", "key", "rank"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(CText(120))
    rank: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")


Index("ix_person_name", Person.name)
Index("ix_unit_parent_id_name", Unit.parent_id, Unit.name)
