"""The notices API's shapes: what an author publishes and edits, what a recipient's inbox and
a notice look like, and the author's statistics by unit."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from bellwork.chat.schemas import PersonRef
from bellwork.core.text import check_text
from bellwork.core.types import Id
from bellwork.ding.schemas import UnitAudience
from bellwork.notices.models import Importance

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_PEOPLE = 1000
MAX_UNITS = 50
MAX_FILES = 30


def _title(value: str) -> str:
    value = " ".join(check_text(value).split())
    if not value:
        raise ValueError("notice_title_empty")
    return value


def _body(value: str) -> str:
    return check_text(value).strip()


Title = Annotated[str, Field(min_length=1, max_length=MAX_TITLE), AfterValidator(_title)]
Body = Annotated[str, Field(max_length=MAX_BODY), AfterValidator(_body)]


class NoticeCreate(BaseModel):
    client_id: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="Chosen by the client; a retry with the same id answers the first notice."
    )
    title: Title
    body: Body = Field(
        default="",
        description="Markdown. Images are files uploaded first (`POST /api/v1/notices/files`) "
        "and named in it as `![name](/api/v1/notices/files/{id})`.",
    )
    importance: Importance = Importance.normal
    confirm: bool = Field(default=False, description="Recipients are asked to confirm reading")
    attachments: Annotated[list[Id], Field(max_length=MAX_FILES)] = Field(
        default=[], description="Files uploaded first, listed under the notice"
    )
    people: Annotated[list[Id], Field(max_length=MAX_PEOPLE)] = []
    units: Annotated[list[UnitAudience], Field(max_length=MAX_UNITS)] = []
    publish_at: datetime | None = Field(
        default=None,
        description="Null: now. Otherwise a time (with its offset) to the minute; seconds are "
        "dropped, and a time that is not ahead is refused (`notice_time_past`).",
    )


class NoticeEdit(BaseModel):
    """What an author may change after publishing (the audience stays the snapshot). Fields
    left out stay as they are."""

    title: Title | None = None
    body: Body | None = None
    importance: Importance | None = None
    confirm: bool | None = None
    attachments: Annotated[list[Id], Field(max_length=MAX_FILES)] | None = None


class NoticeFileOut(BaseModel):
    id: int
    name: str
    content_type: str
    size: int
    width: int | None = None
    height: int | None = None
    has_thumbnail: bool = False
    url: str = Field(description="Where to read it (the author and the notice's recipients)")


class ReceiptState(BaseModel):
    """Oneself as a recipient of the notice."""

    unit_id: int | None
    read_at: datetime | None
    confirmed_at: datetime | None


class Totals(BaseModel):
    total: int
    read: int
    confirmed: int


class NoticeSummary(BaseModel):
    """A notice in a list: the inbox (with oneself's receipt) or one's own (with totals)."""

    id: int
    title: str
    importance: Importance
    confirm: bool
    author: PersonRef | None
    publish_at: datetime | None = Field(description="When it was scheduled for (null: at once)")
    published_at: datetime | None = Field(description="Null while it waits for its time")
    edited_at: datetime | None = Field(description="Changed after it was published")
    recalled_at: datetime | None
    created_at: datetime
    mine: ReceiptState | None = Field(default=None, description="Oneself as a recipient")
    totals: Totals | None = Field(default=None, description="For the author only")


class NoticeOut(NoticeSummary):
    """A notice to read. A recalled notice keeps only its title (for those who opened it)."""

    body: str
    attachments: list[NoticeFileOut]
    images: list[NoticeFileOut] = Field(description="The images its body shows")
    audience: dict[str, object] | None = Field(
        default=None, description="What the author chose (for the author only)"
    )
    is_author: bool


class UnreadCount(BaseModel):
    unread: int = Field(description="Published notices for oneself not read yet (not recalled)")
    to_confirm: int = Field(description="... and read but asked to confirm, not confirmed")


class UnitStats(BaseModel):
    """The recipients reached in one unit (`unit_id` null: picked by name). `unit_name`
    carries its parent's name too ("一年级 / 1班")."""

    unit_id: int | None
    unit_name: str | None
    total: int
    read: int
    confirmed: int


class NoticeStats(BaseModel):
    notice_id: int
    totals: Totals
    units: list[UnitStats] = Field(
        description="Lagging first: the lowest share read (confirmed, when asked) at the top"
    )


RecipientState = Literal["unread", "read", "unconfirmed", "confirmed"]


class NoticeRecipient(BaseModel):
    person: PersonRef
    unit_id: int | None
    read_at: datetime | None
    confirmed_at: datetime | None


class DingUnread(BaseModel):
    client_id: Annotated[str, Field(min_length=1, max_length=40)] = Field(
        description="Chosen by the client; a retry with the same id answers the first DING."
    )
