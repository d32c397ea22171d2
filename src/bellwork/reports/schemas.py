"""The reports API's shapes (docs/reports.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from bellwork.chat.schemas import PersonRef
from bellwork.core.text import check_text
from bellwork.core.types import Id
from bellwork.forms.rules import FormDefinition
from bellwork.forms.schemas import Name

Period = Literal["daily", "weekly", "monthly"]
Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
People = Annotated[list[Id], Field(max_length=50)]


def _body(value: str) -> str:
    value = check_text(value).strip()
    if not value:
        raise ValueError("report_comment_empty")
    return value


class ReportBuiltinOut(BaseModel):
    key: str
    name: str
    period: Period
    definition: dict[str, Any]


class ReportTemplateSettings(BaseModel):
    period: Period = "daily"
    # Due at this time of day (the unit's time zone) on the period's last working day.
    deadline: Clock = "18:00"
    # Expected of everyone below the unit: the unreport list, reminders, the workbench.
    required: bool = True
    remind_before: Annotated[int, Field(ge=0, le=24 * 60)] = 60
    remind_by: Literal["app", "ding"] = "app"


class ReportTemplateCreate(ReportTemplateSettings):
    """A report template for a unit from a built-in one (`builtin`) or from `definition`."""

    unit_id: Id
    name: Name
    builtin: Annotated[str, Field(max_length=32)] | None = None
    definition: FormDefinition | None = None


class ReportTemplateUpdate(BaseModel):
    """Its schedule; its name and questions are edited as a forms template
    (`PUT /forms/templates/{form_template_id}`, the forms designer)."""

    period: Period | None = None
    deadline: Clock | None = None
    required: bool | None = None
    remind_before: Annotated[int, Field(ge=0, le=24 * 60)] | None = None
    remind_by: Literal["app", "ding"] | None = None


class ReportTemplateOut(BaseModel):
    id: int
    form_template_id: int
    unit_id: int
    unit_name: str
    name: str
    builtin: str | None
    period: Period
    deadline: str
    required: bool
    remind_before: int
    remind_by: str
    version: int
    definition: dict[str, Any]
    may_edit: bool


class ReportWriteOut(BaseModel):
    """What the write page needs: the questions (and the `version` to send back), the period
    and its deadline, whom it goes to by default, and the report already written if any."""

    template: ReportTemplateOut
    version: int
    definition: dict[str, Any]
    period: date
    deadline_at: datetime
    late: bool
    to: list[PersonRef]
    report_id: int | None
    previous: dict[str, Any] | None


class ReportIn(BaseModel):
    client_id: Annotated[str, Field(min_length=1, max_length=64)]
    template_id: Id
    version: Annotated[int, Field(ge=1)]
    # The period's first day; the current period by default.
    period: date | None = None
    answers: dict[str, Any]
    # Recipients; the heads of one's unit by default.
    to: People | None = None
    cc: People = []


class ReportReaderOut(BaseModel):
    id: int
    name: str
    read_at: datetime | None


class ReportItem(BaseModel):
    id: int
    template_id: int
    template_name: str
    period_kind: Period
    author: PersonRef
    period: date
    late: bool
    submitted_at: datetime
    # As the reader: to, cc or author; not read yet; comments not read yet.
    role: str
    unread: bool
    unread_comments: int
    comment_count: int


class ReportInboxOut(BaseModel):
    items: list[ReportItem]
    unread: int = Field(description="received reports not read yet (the badge)")


class ReportOut(ReportItem):
    version: int
    definition: dict[str, Any]
    answers: dict[str, Any]
    to: list[ReportReaderOut]
    cc: list[ReportReaderOut]


class ReportCommentIn(BaseModel):
    body: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_body)]


class ReportCommentOut(BaseModel):
    seq: int
    author: PersonRef | None
    body: str
    created_at: datetime
    # Only for one's own comments: the readers of the report who have read it.
    read_by: list[PersonRef] | None = None


class ReportSum(BaseModel):
    key: str
    label: str
    unit: str | None
    total: float


class ReportTeamPerson(BaseModel):
    id: int
    name: str
    report_id: int | None
    submitted_at: datetime | None
    late: bool
    numbers: dict[str, float]


class ReportTeamOut(BaseModel):
    """A manager's view of a period: who submitted (on time or late) and who has not
    (WeCom's `unreport_list`), and the numbers summed across the team."""

    template_id: int
    unit_id: int
    period: date
    deadline_at: datetime
    expected: int
    submitted: list[ReportTeamPerson]
    late: list[ReportTeamPerson]
    unreported: list[ReportTeamPerson]
    sums: list[ReportSum]
