"""The unit settings an admin or head edits (GET/PUT /api/v1/units/{id}/settings), each
inherited down the tree (org/settings.py): what they may hold, their defaults."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, Field

from bellwork.org.models import Role

EscalationChannel = Literal["app", "sms", "voice"]
MAX_ESCALATION_STEPS = 5
MAX_QUOTA = 100_000_000


def _zone(value: str) -> str:
    value = value.strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("time_zone_unknown") from exc
    return value


def _senders(value: list[Role]) -> list[Role]:
    return list(dict.fromkeys(value))


class EscalationPolicy(BaseModel):
    """A DING not confirmed `after_minutes` after it went out is sent again on the first of
    `channels`, and so on, one channel per step, `after_minutes` apart, until everyone
    confirmed, it was recalled, or the steps run out (ding/escalation.py). `app` rings the card
    again; `sms` and `voice` go through the delivery log. No channels: no escalation here,
    whatever a unit above sets (a school turning off its bureau's policy)."""

    after_minutes: Annotated[int, Field(ge=1, le=1440)]
    channels: Annotated[list[EscalationChannel], Field(max_length=MAX_ESCALATION_STEPS)]


class UnitSettingsValues(BaseModel):
    """Settings a unit may set; null (or left out of what a unit sets): inherited."""

    time_zone: Annotated[str, Field(max_length=64), AfterValidator(_zone)] | None = Field(
        default=None, description="IANA time zone of schedules and display (Asia/Shanghai)"
    )
    ding_senders: (
        Annotated[list[Role], Field(min_length=1, max_length=6), AfterValidator(_senders)] | None
    ) = Field(
        default=None,
        description="Who may send a DING: the roles (in a unit this setting covers) that may",
    )
    sms_quota_month: Annotated[int, Field(ge=0, le=MAX_QUOTA)] | None = Field(
        default=None, description="Text messages a month (docs/delivery.md)"
    )
    voice_quota_month: Annotated[int, Field(ge=0, le=MAX_QUOTA)] | None = Field(
        default=None, description="Voice calls a month (docs/delivery.md)"
    )
    ding_escalation: EscalationPolicy | None = Field(
        default=None, description="What to do with a DING not confirmed in time (docs/ding.md)"
    )
    form_retention_days: Annotated[int, Field(ge=1, le=3650)] | None = Field(
        default=None,
        description="Days health check-in answers are kept; then only anonymous counts remain "
        "(docs/forms.md)",
    )
    form_names_above_school: bool | None = Field(
        default=None,
        description="Whether heads above the school (a district, a bureau) see names in form "
        "statistics, cases and exports (docs/forms.md)",
    )


SETTING_NAMES = tuple(UnitSettingsValues.model_fields)
DEFAULTS = UnitSettingsValues(
    time_zone="Asia/Shanghai",
    ding_senders=[Role.head, Role.teacher, Role.staff],
    form_retention_days=30,
    form_names_above_school=False,
)


class SettingSource(BaseModel):
    """The unit whose own value a setting takes."""

    unit_id: int
    unit_name: str


class UnitSettingsOut(BaseModel):
    unit_id: int
    own: UnitSettingsValues = Field(description="What this unit sets itself (null: inherited)")
    effective: UnitSettingsValues = Field(
        description="What holds for the unit: its own, else the nearest unit above's, else "
        "the default (`defaults`)"
    )
    sources: dict[str, SettingSource | None] = Field(
        description="Per setting, the unit its effective value comes from (this one or one "
        "above); null: the default"
    )
    defaults: UnitSettingsValues


class UnitSettingsUpdate(UnitSettingsValues):
    """Only the settings named change: a value sets it on this unit, null clears it (the
    unit inherits again); a setting left out stays as it is."""
