"""The DING API's shapes: what a sender sends and sees, and the alert a recipient gets."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from bellwork.chat.schemas import PersonRef
from bellwork.core.text import check_text
from bellwork.core.types import Id

MAX_TEXT = 500
MAX_PEOPLE = 1000
MAX_UNITS = 50

Channel = Literal["sms", "email"]
AudienceRole = Literal["head", "staff", "teacher", "student", "guardian", "member"]


def _text(value: str) -> str:
    value = check_text(value).strip()
    if not value:
        raise ValueError("ding_text_empty")
    return value


class UnitAudience(BaseModel):
    """The members of a unit and of the units below it who hold one of `roles` ("guardians of
    class 3-2": the class and ["guardian"])."""

    unit_id: Id
    roles: Annotated[list[AudienceRole], Field(min_length=1, max_length=6)]


class DingCreate(BaseModel):
    client_id: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="Chosen by the client; a retry with the same id answers the first DING."
    )
    body: Annotated[str, Field(min_length=1, max_length=MAX_TEXT), AfterValidator(_text)]
    people: Annotated[list[Id], Field(max_length=MAX_PEOPLE)] = []
    units: Annotated[list[UnitAudience], Field(max_length=MAX_UNITS)] = []
    channels: Annotated[list[Channel], Field(max_length=2)] = Field(
        default=[], description="Besides in-app, which is always on: text message, email."
    )
    send_at: datetime | None = Field(
        default=None,
        description="Null: now. Otherwise a time (with its offset) to the minute; seconds are "
        "dropped, and a time that is not ahead is refused (`ding_time_past`).",
    )


class DingOut(BaseModel):
    """A DING as its sender sees it."""

    id: int
    body: str
    sender: PersonRef | None
    channels: list[str]
    created_at: datetime
    send_at: datetime | None = Field(description="When it was scheduled for (null: sent at once)")
    sent_at: datetime | None = Field(description="Null while it waits for its time")
    recalled_at: datetime | None
    reminded_at: datetime | None
    reminders: int
    next_remind_at: datetime | None = Field(
        description="The earliest the unconfirmed may be reminded again (5 minutes after the "
        "last alert); null when there is nobody to remind or it cannot be (recalled, not sent)."
    )
    total: int
    confirmed: int


class RecipientOut(BaseModel):
    person: PersonRef
    confirmed_at: datetime | None


class DingGroup(BaseModel):
    """The recipients reached in one unit (their class when the sender chose the school;
    `unit_id` null: picked by name). `unit_name` carries the parent's name too ("一年级 / 1班")."""

    unit_id: int | None
    unit_name: str | None
    confirmed: list[RecipientOut]
    pending: list[RecipientOut]


class DingDetail(DingOut):
    groups: list[DingGroup]


class DingAlert(BaseModel):
    """A DING as a recipient sees it: the card to confirm."""

    id: int = Field(description="The DING (its message's id)")
    sender: PersonRef | None
    body: str
    sent_at: datetime
    confirmed_at: datetime | None
