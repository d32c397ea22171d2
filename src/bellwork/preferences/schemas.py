from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from bellwork.preferences.models import DEFAULT_DND_END, DEFAULT_DND_START

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def time_of_day(value: str) -> str:
    """A time of day as "HH:MM" (00:00–23:59); "7:05" is taken as "07:05"."""
    found = _HHMM.match(value.strip())
    if found is None:
        raise ValueError("time_invalid")
    return f"{int(found[1]):02d}:{found[2]}"


TimeOfDay = Annotated[
    str,
    Field(max_length=5, examples=["22:00"], description="A time of day, HH:MM (00:00–23:59)"),
    AfterValidator(time_of_day),
]


class PreferencesOut(BaseModel):
    notifications: bool = Field(description="Desktop notifications of new messages")
    sound: bool = Field(description="A short sound for new messages")
    dnd: bool = Field(description="Do not disturb from dnd_start to dnd_end: nothing alerts")
    dnd_start: str = Field(description="HH:MM, the device's local time")
    dnd_end: str = Field(
        description="HH:MM, the device's local time; earlier than dnd_start: past midnight"
    )
    push_ding: bool = Field(description="Web Push to one's devices: DINGs for oneself")
    push_notice: bool = Field(description="Web Push to one's devices: notices")
    push_mention: bool = Field(description="Web Push to one's devices: @mentions of oneself")
    push_direct: bool = Field(description="Web Push to one's devices: direct (1:1) messages")


class PreferencesPatch(BaseModel):
    """The settings to change; those left out stay as they are."""

    notifications: bool = True
    sound: bool = True
    dnd: bool = False
    dnd_start: TimeOfDay = DEFAULT_DND_START
    dnd_end: TimeOfDay = DEFAULT_DND_END
    push_ding: bool = True
    push_notice: bool = True
    push_mention: bool = True
    push_direct: bool = True
