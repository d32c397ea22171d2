"""The forms API's shapes (docs/forms.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from bellwork.chat.schemas import PersonRef
from bellwork.core.text import check_text
from bellwork.core.types import Id
from bellwork.forms.periods import Clock, Schedule
from bellwork.forms.rules import FormDefinition

AudienceRole = Literal["head", "staff", "teacher", "student", "guardian", "member"]


def _name(value: str) -> str:
    value = check_text(value).strip()
    if not value:
        raise ValueError("form_name_empty")
    return value


Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_name)]


class BuiltinOut(BaseModel):
    key: str
    name: str
    definition: dict[str, Any]


class TemplateCreate(BaseModel):
    """A new template for a unit: from a built-in one (`builtin`), as a copy of a template
    above the unit to add questions to (`base_id`), or from `definition`. Exactly one of
    them."""

    unit_id: Id
    name: Name
    builtin: Annotated[str, Field(max_length=32)] | None = None
    base_id: Id | None = None
    definition: FormDefinition | None = None


class TemplateUpdate(BaseModel):
    name: Name | None = None
    definition: FormDefinition | None = None


class TemplateOut(BaseModel):
    id: int
    unit_id: int
    unit_name: str
    name: str
    builtin: str | None
    base_id: int | None
    version: int
    # The newest version's fields and rules.
    definition: dict[str, Any]
    # The questions that come from the template it extends and cannot be changed here.
    locked_keys: list[str]
    may_edit: bool
    created_at: datetime


class VersionOut(BaseModel):
    template_id: int
    number: int
    definition: dict[str, Any]
    created_at: datetime


class CampaignUnit(BaseModel):
    """The members of a unit and of the units below it who hold one of `roles`."""

    unit_id: Id
    roles: Annotated[list[AudienceRole], Field(min_length=1, max_length=6)]


class CampaignCreate(BaseModel):
    client_id: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="Chosen by the client; a retry with the same id answers the first campaign."
    )
    template_id: Id
    # The unit that runs it: its heads and teachers see the figures; the audience is below it.
    unit_id: Id
    name: Name
    # "student": each student is asked about, filled by them or any of their guardians (the
    # audience's roles are then students); "self": each person fills for themself.
    subject: Literal["student", "self"] = "self"
    units: Annotated[list[CampaignUnit], Field(min_length=1, max_length=50)]
    schedule: Schedule
    # Times of day ("08:00") to remind those who have not submitted; how: in the app
    # (`form.reminder`) or by DING (from the installation; the campaign's maker must be
    # someone who may DING).
    reminders: Annotated[list[Clock], Field(max_length=6)] = []
    remind_by: Literal["app", "ding"] = "app"
    late_allowed: bool = True
    # A bureau's (or district's) campaign handed down: a copy of it for every school below,
    # each asking that school's people of `units` in its own time zone; the figures add up.
    hand_down: bool = False


class CampaignOut(BaseModel):
    id: int
    template_id: int
    template_name: str
    unit_id: int
    unit_name: str
    name: str
    subject: str
    schedule: dict[str, Any]
    time_zone: str
    reminders: list[str]
    remind_by: str
    late_allowed: bool
    target_count: int
    created_at: datetime
    closed_at: datetime | None
    # Handed down to every school below (this is the bureau's), and how many schools' copies
    # are made so far (each by a job).
    hand_down: bool = False
    copies: int = 0
    # A school's copy: the bureau's campaign it came from, and the bureau's template, which a
    # template the school switches to must extend (`PUT …/template`).
    parent_id: int | None = None
    root_template_id: int | None = None


class CampaignTemplate(BaseModel):
    """The template a school's copy of a bureau's campaign asks from now on: the bureau's, or
    one made from it (its questions kept, the school's added)."""

    template_id: Id


class EntrySubject(BaseModel):
    id: int
    name: str
    submitted: bool


class EntryOut(BaseModel):
    """What a form's card in a unit group opens for the reader."""

    campaign_id: int
    name: str
    unit_id: int
    closed: bool
    # Whom the reader fills it for in that unit: themself, or their children there.
    subjects: list[EntrySubject]
    # Whether the reader may see the unit's figures (its teachers and heads).
    stats: bool


class TodoItem(BaseModel):
    """A form asked today of the person or of a student they fill for."""

    campaign_id: int
    name: str
    subject_id: int
    subject_name: str
    period: date
    # "upcoming" (not open yet), "open" (before the deadline), "late" (taken, marked late).
    state: str
    opens_at: datetime
    deadline_at: datetime
    closes_at: datetime
    submitted: bool


class SubmissionIn(BaseModel):
    client_id: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="The filler's id for this submission: a retry stores it once."
    )
    subject_id: Id
    # The version of the form the filler opened (`FillOut.version`), and its template
    # (`FillOut.template_id`): a school's copy switched to another template meanwhile answers
    # 409 `form_template_changed` rather than reading the answers against the other one.
    version: Annotated[int, Field(ge=1, le=2**31 - 1)]
    template_id: Id | None = None
    answers: dict[str, Any]


class FormFileOut(BaseModel):
    """A photo or file uploaded for a file question (`POST /forms/campaigns/{id}/files`); the
    answer names it by `id`."""

    id: int
    # The question it answers (its key).
    field: str
    name: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    has_thumbnail: bool
    url: str


class SubmissionOut(BaseModel):
    id: int
    campaign_id: int
    subject_id: int
    filler_id: int | None
    period: date
    version: int
    answers: dict[str, Any]
    abnormal: bool
    # Why it is abnormal, in the reader's language: the rules it matched.
    reasons: list[str]
    late: bool
    submitted_at: datetime
    updated_at: datetime | None
    # The photos and files its file questions name.
    files: list[FormFileOut] = []


class FillOut(BaseModel):
    """The form to fill for a subject today."""

    campaign_id: int
    name: str
    subject_id: int
    period: date
    state: str
    opens_at: datetime
    deadline_at: datetime
    closes_at: datetime
    # The campaign's time zone, in which its day and times are meant (Asia/Shanghai).
    time_zone: str
    template_id: int
    version: int
    definition: dict[str, Any]
    submission: SubmissionOut | None
    # The answers of the last day before, offered as a starting point.
    previous: dict[str, Any] | None


class Figures(BaseModel):
    expected: int
    submitted: int
    missing: int
    late: int
    abnormal: int
    # submitted / expected (0 when nobody is expected)
    rate: float


class UnitFigures(BaseModel):
    unit_id: int
    name: str
    kind: str
    figures: Figures


class StatsOut(BaseModel):
    campaign_id: int
    unit_id: int
    unit_name: str
    unit_kind: str
    period: date
    figures: Figures
    # The units just below, the lagging first (lowest rate, then most missing).
    children: list[UnitFigures]
    # Whether the reader may open the people list here.
    names_visible: bool


class AnswerCount(BaseModel):
    value: str
    count: int


class QuestionCounts(BaseModel):
    key: str
    counts: list[AnswerCount]


class TrendDay(BaseModel):
    period: date
    figures: Figures


class PersonStatus(BaseModel):
    person_id: int
    name: str
    unit_id: int
    submitted: bool
    late: bool
    abnormal: bool
    reasons: list[str]
    submitted_at: datetime | None
    # The day's photos and files, when submitted.
    files: list[FormFileOut] = []


class ExportIn(BaseModel):
    unit_id: Id | None = None
    start: date
    end: date
    format: Literal["xlsx", "csv"] = "xlsx"


class ExportOut(BaseModel):
    id: int
    campaign_id: int
    unit_id: int
    start: date
    end: date
    format: str
    # "queued" (a large export: the job makes it), "done", "failed"
    state: str
    rows: int
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    # Where to download it once done (for a day).
    download: str | None


class CaseOut(BaseModel):
    """The follow-up of an abnormal submission."""

    id: int
    campaign_id: int
    campaign_name: str
    subject: PersonRef
    unit_id: int
    unit_name: str
    period: date
    # "open" → "contacted" → "resolved"
    state: str
    reasons: list[str]
    created_at: datetime
    updated_at: datetime | None


class CaseNoteIn(BaseModel):
    state: Literal["open", "contacted", "resolved"] | None = None
    body: Annotated[str, Field(max_length=2000)] = ""


class CaseNoteOut(BaseModel):
    id: int
    author: PersonRef | None
    state: str | None
    body: str
    created_at: datetime


class Responders(BaseModel):
    """Who a unit tells of abnormal answers below it (besides the class teachers)."""

    people: Annotated[list[Id], Field(max_length=20)]


class RespondersOut(BaseModel):
    unit_id: int
    people: list[PersonRef]


class RemindIn(BaseModel):
    """Remind everyone still missing on `day` below a unit (the campaign's own by default)."""

    unit_id: Id | None = None
    day: date
    # How: in the app or by DING; the campaign's `remind_by` when not given.
    by: Literal["app", "ding"] | None = None


class RemindOut(BaseModel):
    id: int
    campaign_id: int
    unit_id: int
    period: date
    by: str
    sent_by: PersonRef | None
    # Subjects with no submission then, and fillers told (the subjects and their guardians).
    subjects: int
    reached: int
    created_at: datetime
    # When the next reminder at this unit for this day may go (5 minutes after this one).
    next_at: datetime
