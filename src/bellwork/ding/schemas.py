"""The DING API's shapes: what a sender sends and sees, and the alert a recipient gets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from bellwork.chat.schemas import PersonRef
from bellwork.core.text import check_text
from bellwork.core.types import Id

MAX_TEXT = 500
MAX_PEOPLE = 1000
MAX_UNITS = 50

Channel = Literal["sms", "email", "voice"]
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


class UnreadOf(BaseModel):
    """Everyone who has not read message `seq` of conversation `conversation_id` (a message
    of one's own: its unread list)."""

    conversation_id: Id
    seq: Id


class UnfilledOf(BaseModel):
    """Everyone who has still to fill form campaign `campaign_id` on `day` (today by default, in
    the campaign's time zone): each missing subject, and a student's guardians."""

    campaign_id: Id
    day: date | None = None


class DingCreate(BaseModel):
    client_id: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="Chosen by the client; a retry with the same id answers the first DING."
    )
    body: Annotated[str, Field(min_length=1, max_length=MAX_TEXT), AfterValidator(_text)]
    people: Annotated[list[Id], Field(max_length=MAX_PEOPLE)] = []
    units: Annotated[list[UnitAudience], Field(max_length=MAX_UNITS)] = []
    unread_of: UnreadOf | None = Field(
        default=None,
        description="Also everyone who has not read this chat message of one's own.",
    )
    unfilled_of: UnfilledOf | None = Field(
        default=None,
        description="Also everyone who has still to fill this form today (a campaign whose "
        "figures one may see).",
    )
    channels: Annotated[list[Channel], Field(max_length=3)] = Field(
        default=[],
        description="Besides in-app, which is always on: text message, email, voice call.",
    )
    send_at: datetime | None = Field(
        default=None,
        description="Null: now. Otherwise a time (with its offset) to the minute; seconds are "
        "dropped, and a time that is not ahead is refused (`ding_time_past`).",
    )
    voice_id: Id | None = Field(
        default=None,
        description="A voice note: a recording one uploaded (`POST /dings/files`) and no DING "
        "took yet; sound only (WebM, Ogg, MP4), 1–60 s, at most 2 MB.",
    )
    voice_duration_ms: int | None = Field(
        default=None,
        description="The voice note's length as the recorder timed it (1–60 s); the "
        "recording's own length must agree within a second.",
    )
    attachment_id: Id | None = Field(
        default=None,
        description="A file or image one uploaded (`POST /dings/files`) and no DING took yet.",
    )

    @classmethod
    def to_people(cls, client_id: str, body: str, people: list[int]) -> DingCreate:
        """A DING now, in-app, to people another domain found (a notice's unread): without
        the cap on people picked by hand (`MAX_PEOPLE`); DING still checks each one's reach
        and its own limit on recipients."""
        return cls.model_construct(
            client_id=client_id,
            body=body,
            people=people,
            units=[],
            unread_of=None,
            unfilled_of=None,
            channels=[],
            send_at=None,
            voice_id=None,
            voice_duration_ms=None,
            attachment_id=None,
        )


class DingFileOut(BaseModel):
    """A DING's voice note or attachment (or an upload waiting to be sent): read it at `url`,
    an image's thumbnail at `url` + "/thumbnail"."""

    id: int
    name: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    duration_ms: int | None = Field(
        description="A recording's length (the voice note: the length shown)"
    )
    has_thumbnail: bool
    url: str


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
    voice: DingFileOut | None = Field(default=None, description="The voice note, if any")
    attachment: DingFileOut | None = Field(default=None, description="The attachment, if any")


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
    voice: DingFileOut | None = Field(default=None, description="The voice note, if any")
    attachment: DingFileOut | None = Field(default=None, description="The attachment, if any")


ReportStatus = Literal["queued", "sent", "delivered", "outbox", "failed", "confirmed"]


class ReportEntry(BaseModel):
    """One channel's try to reach one recipient: in-app (`app`: the card, `confirmed` once
    they confirmed), or a delivery (text message, email, voice call) with the provider's
    reason when it failed."""

    channel: Literal["app", "sms", "email", "voice"]
    status: ReportStatus
    reason: str | None = Field(description="Why it failed (the provider's code and message)")
    step: int = Field(description="0: sent with the DING (or a reminder); n: escalation step n")
    fallback: bool = Field(description="A text message sent because a call was not answered")
    created_at: datetime | None
    sent_at: datetime | None
    delivered_at: datetime | None


class ReportRow(BaseModel):
    person: PersonRef
    unit_name: str | None = Field(description="The unit they were reached in (null: by name)")
    confirmed_at: datetime | None
    escalation_step: int
    entries: list[ReportEntry]


class DingReport(BaseModel):
    """Per recipient and channel, what became of a DING (docs/ding.md, "Delivery report")."""

    id: int
    body: str
    sent_at: datetime | None
    escalation: dict[str, Any] | None = Field(
        description="The escalation policy it was sent under ({after_minutes, channels})"
    )
    total: int
    confirmed: int
    rows: list[ReportRow]
