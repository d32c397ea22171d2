"""The approvals API's shapes (docs/approvals.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from bellwork.approvals.flow import FlowSpec
from bellwork.chat.schemas import PersonRef
from bellwork.core.text import check_text
from bellwork.core.types import Id
from bellwork.forms.rules import FormDefinition
from bellwork.forms.schemas import Name

ClientId = Annotated[str, Field(min_length=1, max_length=64)]
Box = Literal["mine", "waiting", "done", "cc"]
Status = Literal["pending", "approved", "rejected", "returned", "withdrawn"]


def _note(value: str) -> str:
    return check_text(value).strip()


Note = Annotated[str, Field(max_length=2000), AfterValidator(_note)]


class ApprovalBuiltinOut(BaseModel):
    key: str
    name: str
    definition: dict[str, Any]
    flow: dict[str, Any]


class ApprovalTemplateCreate(BaseModel):
    """A template for a unit from a built-in one (`builtin`, its flow unless `flow` is
    given) or from `definition` and `flow`."""

    unit_id: Id
    name: Name
    builtin: Annotated[str, Field(max_length=32)] | None = None
    definition: FormDefinition | None = None
    flow: FlowSpec | None = None


class ApprovalFlowUpdate(BaseModel):
    flow: FlowSpec


class ApprovalTemplateOut(BaseModel):
    id: int
    form_template_id: int
    unit_id: int
    unit_name: str
    name: str
    kind: str | None
    version: int  # the forms template's newest version
    definition: dict[str, Any]
    flow_version: int
    flow: dict[str, Any]
    may_edit: bool


class LeaveBalance(BaseModel):
    leave_type: str
    allowance: float
    used: float  # approved and pending, this calendar year
    remaining: float


class PlannedStepOut(BaseModel):
    name: str
    mode: str
    approvers: list[PersonRef]


class ApprovalSubmitPage(BaseModel):
    """What the submit page shows: the form, whom it may be for (a guardian's children), the
    leave balance, and the steps these answers would go through."""

    template: ApprovalTemplateOut
    subjects: list[PersonRef]
    balance: list[LeaveBalance]


class ApprovalIn(BaseModel):
    client_id: ClientId
    template_id: Id
    version: Annotated[int, Field(ge=1)]
    answers: dict[str, Any]
    # Whom it is for: oneself (default), or one's child for a student leave.
    subject_id: Id | None = None


class ApprovalResubmit(BaseModel):
    """A request returned for changes, with its answers changed: a new round of steps."""

    answers: dict[str, Any]


class ActionIn(BaseModel):
    comment: Note = ""


class TransferIn(ActionIn):
    to: Id


class AddApproverIn(ActionIn):
    person_id: Id


class ApprovalCommentIn(BaseModel):
    body: Note = ""
    file_ids: Annotated[list[Id], Field(max_length=9)] = []


class ApprovalFileOut(BaseModel):
    id: int
    name: str
    content_type: str
    size: int
    width: int | None = None
    height: int | None = None
    has_thumbnail: bool
    url: str


class TaskOut(BaseModel):
    approver: PersonRef
    on_behalf_of: PersonRef | None
    status: str
    decided_at: datetime | None


class StepOut(BaseModel):
    position: int
    name: str
    mode: str
    status: str
    tasks: list[TaskOut]


class EventOut(BaseModel):
    seq: int
    actor: PersonRef | None
    action: str
    target: PersonRef | None
    step: int | None
    body: str | None
    files: list[ApprovalFileOut]
    created_at: datetime


class ApprovalItem(BaseModel):
    id: int
    template_id: int
    template_name: str
    kind: str | None
    title: str
    submitter: PersonRef
    subject: PersonRef
    status: Status
    current_step: str | None
    waiting_on: list[PersonRef]
    created_at: datetime
    updated_at: datetime


class ApprovalOut(ApprovalItem):
    form_version: int
    flow_version: int
    round: int
    definition: dict[str, Any]
    answers: dict[str, Any]
    starts_on: date | None
    ends_on: date | None
    steps: list[StepOut]
    cc: list[PersonRef]
    timeline: list[EventOut]
    # What the viewer may do now.
    may_decide: bool
    may_withdraw: bool
    may_resubmit: bool


class ApprovalListOut(BaseModel):
    items: list[ApprovalItem]
    waiting: int  # how many wait for the viewer


class DelegationIn(BaseModel):
    delegate_id: Id
    starts_on: date
    ends_on: date


class DelegationOut(BaseModel):
    id: int
    delegate: PersonRef
    starts_on: date
    ends_on: date


class LeaveDay(BaseModel):
    request_id: int
    starts_on: date
    ends_on: date
    leave_type: str | None
