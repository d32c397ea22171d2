"""The attendance API's shapes (docs/attendance.md)."""

from __future__ import annotations

import ipaddress
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from bellwork.core.text import check_text
from bellwork.forms.schemas import Name

Kind = Literal["fixed", "flexible", "school"]
Source = Literal["geo", "network", "field", "gate", "correct"]
Colour = Literal["green", "yellow", "red"]
Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Status = Literal[
    "rest", "normal", "late", "early", "late_early", "no_out", "absent", "leave", "pending"
]


def _network(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError:
        raise ValueError("attendance_network_invalid") from None


def _note(value: str) -> str:
    return check_text(value).strip()


class Place(BaseModel):
    name: Name
    lat: Annotated[float, Field(ge=-90, le=90)]
    lng: Annotated[float, Field(ge=-180, le=180)]
    radius: Annotated[int, Field(ge=20, le=5000, description="metres")] = 300


class RuleIn(BaseModel):
    name: Name
    kind: Kind = "fixed"
    weekdays: Annotated[list[Annotated[int, Field(ge=1, le=7)]], Field(max_length=7)] = [
        1,
        2,
        3,
        4,
        5,
    ]
    start: Clock = "09:00"
    end: Clock = "18:00"
    late_grace: Annotated[int, Field(ge=0, le=240)] = 0
    work_minutes: Annotated[int, Field(ge=30, le=1440)] = 480
    places: Annotated[list[Place], Field(max_length=20)] = []
    networks: Annotated[
        list[Annotated[str, Field(max_length=64), AfterValidator(_network)]],
        Field(max_length=20),
    ] = []
    field_work: bool = False

    @model_validator(mode="after")
    def _hours(self) -> RuleIn:
        self.weekdays = sorted(set(self.weekdays))
        if self.kind == "fixed" and self.end <= self.start:
            raise ValueError("attendance_end_before_start")
        return self


class RuleOut(RuleIn):
    id: int
    unit_id: int
    unit_name: str


class PunchIn(BaseModel):
    client_id: Annotated[str, Field(min_length=1, max_length=64)]
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lng: Annotated[float, Field(ge=-180, le=180)] | None = None
    accuracy: Annotated[float, Field(ge=0, le=100_000)] | None = None
    note: Annotated[str, Field(max_length=200), AfterValidator(_note)] | None = None


class PunchOut(BaseModel):
    id: int
    at: datetime
    day: date
    source: Source
    distance: int | None
    place: str | None
    note: str | None
    # The day's first punch is the arrival ("in"), a later one the departure ("out").
    kind: Literal["in", "out"]


class TodayOut(BaseModel):
    rule: RuleOut | None
    day: date
    working: bool
    status: Status
    late_minutes: int
    early_minutes: int
    punches: list[PunchOut]


class PassOut(BaseModel):
    subject_id: int
    name: str
    colour: Colour
    # Why: "normal", "abnormal", "missing" (no check-in), "stale" (older than yesterday).
    reason: Literal["normal", "abnormal", "missing", "stale"]
    checked_on: date | None
    code: str
    expires_at: datetime
    refresh_seconds: int


class PassSubject(BaseModel):
    id: int
    name: str


class GateIn(BaseModel):
    code: Annotated[str, Field(min_length=1, max_length=300)]


class GateOut(BaseModel):
    subject_id: int
    name: str
    initials: str  # the name's first letter, shown where there is no photo
    photo_url: str | None = Field(
        default=None,
        description="The person's photo (头像), for the gate to show large beside the colour; "
        "None: no photo (show `initials`).",
    )
    unit_name: str | None
    colour: Colour
    reason: Literal["normal", "abnormal", "missing", "stale"]
    checked_on: date | None
    punch: PunchOut | None


class MonthPerson(BaseModel):
    id: int
    name: str
    expected: int
    present: int
    late: int
    early: int
    no_out: int
    absent: int
    leave: int
    field: int
    late_minutes: int
    early_minutes: int


class MonthException(BaseModel):
    person_id: int
    name: str
    day: date
    status: Status
    first: datetime | None
    last: datetime | None


class MyDay(BaseModel):
    day: date
    status: Status
    first: datetime | None  # the arrival
    last: datetime | None  # the departure
    late_minutes: int
    early_minutes: int
    field: bool


class MyMonthOut(BaseModel):
    """One's own month: each day up to today (rest days too), and the days after it that are
    on approved leave."""

    month: str
    rule_name: str | None
    days: list[MyDay]


class MonthOut(BaseModel):
    unit_id: int
    unit_name: str
    month: str
    people: list[MonthPerson]
    totals: MonthPerson
    exceptions: list[MonthException]
