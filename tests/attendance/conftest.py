"""A school with a daily health check-in (tests/forms) and a clock the attendance and forms
APIs read: Tuesday 1 December 2026 in Beijing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from bellwork.attendance import api as attendance_api
from bellwork.attendance import tiles as attendance_tiles
from bellwork.forms import api as forms_api
from tests.conftest import World
from tests.forms.test_filling import MORNING, school

# The school gate, 东城区 (a point in Beijing), and the school's Wi-Fi.
GATE = (39.9290, 116.4170)
NEAR = (39.9300, 116.4170)  # about 110 m north
FAR = (39.9470, 116.4170)  # about 2 km north


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = MORNING  # 07:00 in Beijing
        for module in (forms_api, attendance_api, attendance_tiles):
            monkeypatch.setattr(module, "utcnow", lambda: self.now)

    def beijing(self, hh: int, mm: int, days: int = 0) -> None:
        """Sets the clock to hh:mm Beijing time on 1 December (+ days)."""
        self.now = datetime(2026, 11, 30, 16, 0, tzinfo=UTC) + timedelta(
            days=days, hours=hh, minutes=mm
        )


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


async def school_with_rule(world: World, **rule: Any) -> tuple[dict[str, Any], httpx.AsyncClient]:
    """tests/forms' school (a class of students, their guardians, a teacher and the head) with
    a guard at the school and an 08:00–17:00 rule around the gate; the head's client."""
    s = await school(world)
    s["guard"] = await world.person("门卫老张", (s["school"], "staff"), username="guard")
    other = await world.unit("第二中学", "school")
    s["other_guard"] = await world.person("二中门卫", (other, "staff"), username="guard2")
    await world.commit()
    head = await world.login(s["head"])
    body = {
        "name": "实验小学作息",
        "kind": "fixed",
        "start": "08:00",
        "end": "17:00",
        "places": [{"name": "学校大门", "lat": GATE[0], "lng": GATE[1], "radius": 200}],
        **rule,
    }
    r = await head.put(f"/api/v1/attendance/rules/{s['school'].id}", json=body)
    assert r.status_code == 200, r.text
    return s, head
