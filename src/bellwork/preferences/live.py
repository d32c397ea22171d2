"""Preferences on the socket: a change reaches the person's other tabs and devices (topic
`person:<id>`, which every socket of a person follows)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from bellwork.preferences.schemas import PreferencesOut
from bellwork.realtime.protocol import Part


class PreferencesUpdated(BaseModel):
    """One's preferences changed (on another tab or device): what they are now."""

    type: Literal["preferences.updated"] = "preferences.updated"
    preferences: PreferencesOut


PART = Part(name="preferences", events=(PreferencesUpdated,))
