"""Moving a scheduled meeting in the browser (docs/meetings.md): its host, on a phone-sized page
in Chinese, sees the planned time and 改时间; a time that has passed is refused with the server's
words in the dialog, and nothing moves; a later time is saved and shown at once, and the host's
other page, in English, shows it too (from `meeting.changed`) with its Change time button. A
member who is not the host sees the time but no button."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, login, shot

pytestmark = pytest.mark.browser

ZONE = "Asia/Shanghai"


def test_the_host_moves_a_meeting_on_a_phone(server: Server, new_page: Any) -> None:
    klass = server.api("/api/v1/auth/me", login="teacher")["memberships"][0]["unit"]["id"]
    now = datetime.now(ZoneInfo(ZONE)).replace(second=0, microsecond=0)
    planned = now + timedelta(days=1)
    meeting = server.api(
        "/api/v1/meetings",
        login="teacher",
        method="POST",
        body={
            "title": "家长会筹备",
            "unit_id": klass,
            "starts_at": planned.isoformat(),
            "client_id": f"move-{now.timestamp()}",
        },
    )
    path = f"/meetings/{meeting['id']}"

    phone = new_page(390, 844, timezone_id=ZONE)
    login(phone, "teacher", then=path)
    expect(phone.get_by_test_id("meeting-state")).to_have_text("未开始")
    expect(phone.get_by_test_id("meeting-starts-at")).to_have_text(
        f"预约时间：{planned:%Y-%m-%d %H:%M}"
    )
    desk = new_page(lang="en", timezone_id=ZONE)
    login(desk, "teacher", then=path)
    expect(desk.get_by_test_id("meeting-starts-at")).to_have_text(
        f"Starts at {planned:%Y-%m-%d %H:%M}"
    )

    # A time that has passed: the server refuses, the dialog says why, nothing moves
    button = phone.get_by_test_id("meeting-move")
    expect(button).to_have_text("改时间")
    box = button.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390, box
    button.click()
    when = phone.get_by_test_id("meeting-move-when")
    expect(when).to_have_value(f"{planned:%Y-%m-%dT%H:%M}")
    when.fill(f"{now - timedelta(hours=1):%Y-%m-%dT%H:%M}")
    phone.get_by_test_id("meeting-move-save").click()
    expect(phone.get_by_test_id("meeting-move-problem")).to_have_text(
        "该时间已过，请选择晚于现在的时间。"
    )
    dialog = phone.get_by_role("dialog")
    dialog_box = dialog.bounding_box()
    assert dialog_box is not None and dialog_box["x"] >= 0
    assert dialog_box["x"] + dialog_box["width"] <= 390, dialog_box
    shot(phone, "phone-meeting-move-refused")
    got = server.api(f"/api/v1/meetings/{meeting['id']}", login="teacher")
    assert datetime.fromisoformat(got["starts_at"]) == planned

    # A later time: saved, shown here and on the other page
    later = planned + timedelta(days=2, hours=1, minutes=30)
    when.fill(f"{later:%Y-%m-%dT%H:%M}")
    phone.get_by_test_id("meeting-move-save").click()
    expect(phone.get_by_test_id("meeting-move-when")).to_have_count(0)
    expect(phone.get_by_text(f"会议时间已改为 {later:%Y-%m-%d %H:%M}")).to_be_visible()
    expect(phone.get_by_test_id("meeting-starts-at")).to_have_text(
        f"预约时间：{later:%Y-%m-%d %H:%M}"
    )
    expect(desk.get_by_test_id("meeting-starts-at")).to_have_text(
        f"Starts at {later:%Y-%m-%d %H:%M}"
    )
    expect(desk.get_by_test_id("meeting-move")).to_have_text("Change time")
    shot(phone, "phone-meeting-moved")
    got = server.api(f"/api/v1/meetings/{meeting['id']}", login="teacher")
    assert datetime.fromisoformat(got["starts_at"]) == later

    # Once it has started there is nothing to move
    server.api(f"/api/v1/meetings/{meeting['id']}/end", login="teacher", method="POST")
    expect(desk.get_by_test_id("meeting-state")).to_have_text("Ended")
    expect(desk.get_by_test_id("meeting-move")).to_have_count(0)
