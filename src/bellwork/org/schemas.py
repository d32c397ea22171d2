from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from bellwork.core.text import check_text, fold_width
from bellwork.core.types import Id
from bellwork.org.models import Role, UnitKind
from bellwork.org.phones import normalise_phone

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{3,64}$")
# Letters, digits and `-`, `_`, `.` (not first): what school systems print, and nothing that a
# spreadsheet, a shell or SQL would read as syntax.
STUDENT_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,31}$")
NAME_MAX = 100
UNIT_NAME_MAX = 200

# Person fields are NFKC-normalised (`fold_width`) before they are checked, so full-width
# digits and letters typed by a Chinese input method (`１３９…`, `Ｓ００１`) mean what they show.
# The messages of the codes raised here are `v.<code>` in core/i18n.py.


def clean_phone(value: str | None) -> str | None:
    """A phone number in its stored form (org/phones.py), or ValueError("phone_invalid")."""
    return normalise_phone(value)


def clean_email(value: str | None) -> str | None:
    if value is None or value.strip() == "":
        return None
    v = fold_width(value).strip().lower()
    if not EMAIL_RE.match(v) or len(v) > 254:
        raise ValueError("email_invalid")
    return v


def clean_username(value: str | None) -> str | None:
    if value is None or value.strip() == "":
        return None
    v = value.strip().lower()
    if not USERNAME_RE.match(v):
        raise ValueError("username_invalid")
    return v


def clean_student_number(value: str | None) -> str | None:
    if value is None:
        return None
    v = fold_width(value).strip()
    if v == "":
        return None
    if not STUDENT_NUMBER_RE.match(v):
        raise ValueError("student_number_invalid")
    return v


def clean_text(value: str | None) -> str | None:
    """An optional line of text (a title, a relation): full-width forms folded, no control
    characters or direction overrides."""
    if value is None:
        return None
    v = check_text(fold_width(value)).strip()
    return " ".join(v.split()) or None


def required_name(value: str) -> str:
    """White space folded; a name with nothing visible in it (only spaces, zero-width or
    direction marks) counts as empty; control characters and direction overrides are refused
    (core/text.py). Used for unit and chat group names as well as people's."""
    v = " ".join(check_text(value).split())
    if not any(unicodedata.category(ch)[0] not in "CZ" for ch in v):
        raise ValueError("must not be empty")
    return v


def person_name(value: str) -> str:
    """A person's name: full-width forms folded, no markup (`<`, `>`), as `required_name`."""
    v = required_name(check_text(fold_width(value), markup=True))
    if len(v) > NAME_MAX:
        raise ValueError("text_too_long")
    return v


def unit_name(value: str) -> str:
    """A unit's name: full-width forms folded (as the importer folds paths), as `required_name`."""
    v = required_name(fold_width(value))
    if len(v) > UNIT_NAME_MAX:
        raise ValueError("text_too_long")
    return v


Phone = Annotated[str | None, AfterValidator(clean_phone)]
Email = Annotated[str | None, AfterValidator(clean_email)]
Username = Annotated[str | None, AfterValidator(clean_username)]
OptText = Annotated[str | None, AfterValidator(clean_text)]
StudentNumber = Annotated[str | None, AfterValidator(clean_student_number)]
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX), AfterValidator(person_name)]
UnitName = Annotated[str, Field(min_length=1, max_length=UNIT_NAME_MAX), AfterValidator(unit_name)]


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    parent_id: int | None
    kind: UnitKind
    name: str
    path: str
    depth: int
    archived: bool
    child_count: int = 0
    member_count: int = 0
    can_manage: bool = False


class UnitCreate(BaseModel):
    parent_id: Id | None = None
    kind: UnitKind
    name: UnitName


class UnitUpdate(BaseModel):
    name: UnitName | None = None
    kind: UnitKind | None = None


class UnitMove(BaseModel):
    parent_id: Id | None


class UnitRef(BaseModel):
    id: int
    name: str
    kind: UnitKind
    path_names: list[str]


class MembershipOut(BaseModel):
    id: int
    unit: UnitRef
    role: Role
    title: str | None


class MembershipBrief(BaseModel):
    unit_id: int
    unit_name: str
    unit_path_names: list[str] = Field(
        default_factory=list, description="Names from the top unit down to this one"
    )
    role: Role


class PersonBrief(BaseModel):
    id: int
    name: str
    phone: str | None
    phone_hidden: bool
    student_number: str | None
    title: str | None
    active: bool
    is_admin: bool
    memberships: list[MembershipBrief]
    photo_url: str | None = Field(
        default=None,
        description="The person's photo (头像), a square JPEG; its thumbnail at this + "
        '"/thumbnail". The URL changes with the photo. None: no photo (show the initial).',
    )


class PhotoOut(BaseModel):
    photo_url: str | None = Field(
        default=None,
        description="The person's photo (头像), a square JPEG; its thumbnail at this + "
        '"/thumbnail". The URL changes with the photo. None: no photo (show the initial).',
    )


class LinkedPerson(BaseModel):
    id: int
    name: str
    relation: str | None
    phone: str | None
    phone_hidden: bool


class PersonDetail(BaseModel):
    id: int
    name: str
    username: str | None
    phone: str | None
    phone_hidden: bool
    email: str | None
    student_number: str | None
    title: str | None
    active: bool
    is_admin: bool
    has_password: bool
    must_change_password: bool
    created_at: datetime
    memberships: list[MembershipOut]
    guardians: list[LinkedPerson]
    children: list[LinkedPerson]
    photo_url: str | None = Field(
        default=None,
        description="The person's photo (头像), a square JPEG; its thumbnail at this + "
        '"/thumbnail". The URL changes with the photo. None: no photo (show the initial).',
    )
    can_manage: bool
    can_message: bool = Field(
        default=False,
        description="One may open a direct chat with this person (发消息): not oneself, an "
        "active account (the rule `POST /conversations/direct` applies).",
    )


class MembershipIn(BaseModel):
    unit_id: Id
    role: Role
    title: OptText = Field(default=None, max_length=100)


class PersonCreate(BaseModel):
    name: Name
    username: Username = None
    phone: Phone = None
    email: Email = None
    student_number: StudentNumber = Field(default=None, max_length=32)
    title: OptText = Field(default=None, max_length=100)
    password: str | None = Field(default=None, max_length=200)
    is_admin: bool = False
    memberships: list[MembershipIn] = Field(default_factory=list, max_length=50)


class PersonUpdate(BaseModel):
    name: Name | None = None
    username: Username = None
    phone: Phone = None
    email: Email = None
    student_number: StudentNumber = Field(default=None, max_length=32)
    title: OptText = Field(default=None, max_length=100)
    is_admin: bool | None = None


class GuardianIn(BaseModel):
    guardian_id: Id
    relation: OptText = Field(default=None, max_length=32)


class TemporaryPassword(BaseModel):
    temporary_password: str
