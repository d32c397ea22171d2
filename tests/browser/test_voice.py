"""The composer's emoji picker, and voice messages recorded with Chromium's fake microphone
(a beep, `--use-fake-device-for-media-stream`), sent, received and played."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, login, shot

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]


def _devices(page: Any, server: Server) -> None:
    """Logs the engineer in and opens their own devices (a conversation with oneself)."""
    server.api("/api/v1/conversations/devices", login="engineer", method="POST")
    login(page, "engineer", then="/chat")
    page.get_by_test_id("chat-list").locator("[data-kind=devices]").click()
    expect(page.get_by_test_id("chat-view")).to_be_visible()


def test_emoji_goes_in_at_the_caret_and_is_sent(new_page: NewPage, server: Server) -> None:
    page = new_page()
    _devices(page, server)
    box = page.get_by_test_id("chat-composer").locator("textarea")
    stamp = str(time.time_ns())[-6:]
    box.fill(f"收到{stamp}谢谢")
    # The caret after the number: the emoji goes there, not at the end.
    box.evaluate(f"(el) => el.setSelectionRange({2 + len(stamp)}, {2 + len(stamp)})")
    page.get_by_test_id("chat-emoji").click()
    picker = page.get_by_test_id("emoji-picker")
    expect(picker).to_be_visible()
    expect(picker.get_by_role("group", name="手势")).to_be_visible()
    # Keyboard: the first emoji has the focus; arrows move, Enter inserts.
    first = picker.get_by_test_id("emoji-cell").first
    expect(first).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(picker.get_by_role("button", name="😁")).to_be_focused()
    page.keyboard.press("Enter")
    expect(box).to_have_value(f"收到{stamp}😁谢谢")
    # A click inserts after it; the picker stays open for the next one.
    picker.get_by_role("button", name="👍").click()
    expect(box).to_have_value(f"收到{stamp}😁👍谢谢")
    shot(page, "desktop-chat-emoji-picker")
    page.keyboard.press("Escape")
    expect(picker).to_be_hidden()
    page.get_by_test_id("chat-send").click()
    expect(page.get_by_test_id("chat-message").filter(has_text=f"{stamp}😁👍谢谢")).to_be_visible()


def test_emoji_picker_fits_a_phone(new_page: NewPage, server: Server) -> None:
    page = new_page(390, 844, lang="en", is_mobile=True, has_touch=True)
    _devices(page, server)
    page.get_by_test_id("chat-emoji").tap()
    picker = page.get_by_test_id("emoji-picker")
    expect(picker.get_by_role("group", name="Smileys")).to_be_visible()
    box = picker.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    picker.get_by_role("button", name="🎉").tap()
    expect(page.get_by_test_id("chat-composer").locator("textarea")).to_have_value(
        re.compile("🎉$")
    )
    shot(page, "phone-chat-emoji-picker")


def _me(server: Server, who: str) -> int:
    return int(server.api("/api/v1/auth/me", login=who)["id"])


def _guardian(server: Server) -> str:
    return server.guardian_phone or "10000000009"


def test_a_voice_message_is_recorded_sent_and_played(new_page: NewPage, server: Server) -> None:
    guardian_login = _guardian(server)
    conv = server.api(
        "/api/v1/conversations/direct",
        login="teacher",
        method="POST",
        body={"person_id": _me(server, guardian_login)},
    )["id"]
    teacher = new_page(permissions=["microphone"])
    login(teacher, "teacher", then=f"/chat/{conv}")
    guardian = new_page(390, 844, is_mobile=True, has_touch=True, permissions=["microphone"])
    login(guardian, guardian_login, then=f"/chat/{conv}")
    expect(guardian.get_by_test_id("chat-view")).to_be_visible()
    before = guardian.get_by_test_id("chat-voice-bubble").count()

    # Record: the bar replaces the text box and counts the seconds; cancel throws it away.
    teacher.get_by_test_id("chat-voice").click()
    bar = teacher.get_by_test_id("chat-recording")
    expect(bar).to_be_visible()
    expect(teacher.get_by_test_id("chat-voice-elapsed")).to_have_text("0:01")
    teacher.get_by_test_id("chat-voice-cancel").click()
    expect(bar).to_be_hidden()
    expect(teacher.get_by_test_id("chat-composer").locator("textarea")).to_be_visible()

    # Under a second: not sent, and said why.
    teacher.get_by_test_id("chat-voice").click()
    expect(bar).to_be_visible()
    teacher.get_by_test_id("chat-voice-send").click()
    expect(teacher.get_by_text("说话时间太短，至少 1 秒")).to_be_visible()

    # Three seconds, sent.
    teacher.get_by_test_id("chat-voice").click()
    expect(teacher.get_by_test_id("chat-voice-elapsed")).to_have_text("0:03", timeout=10_000)
    shot(teacher, "desktop-chat-voice-recording")
    teacher.get_by_test_id("chat-voice-send").click()
    mine = teacher.locator("[data-testid=chat-message][data-mine='1']").last
    bubble = mine.get_by_test_id("chat-voice-bubble")
    expect(bubble).to_be_visible()
    expect(bubble.get_by_test_id("chat-voice-length")).to_have_text(re.compile(r"^[2-4]″$"))
    expect(mine.get_by_test_id("chat-voice-unplayed")).to_have_count(0)  # one's own

    # The recipient (a phone): a voice bubble with its length, unplayed; then it plays.
    got = guardian.get_by_test_id("chat-voice-bubble")
    expect(got).to_have_count(before + 1)
    row = guardian.locator("[data-testid=chat-message][data-mine='0']").filter(has=got.last).last
    theirs = row.get_by_test_id("chat-voice-bubble")
    expect(theirs.get_by_test_id("chat-voice-length")).to_have_text(re.compile(r"^[2-4]″$"))
    expect(row.get_by_test_id("chat-voice-unplayed")).to_be_visible()
    width = theirs.bounding_box()
    assert width is not None and 76 <= width["width"] <= 220, width
    shot(guardian, "phone-chat-voice-received")
    expect(theirs).to_have_attribute("data-state", "idle")
    theirs.tap()
    expect(theirs).to_have_attribute("data-state", "playing")
    expect(row.get_by_test_id("chat-voice-unplayed")).to_have_count(0)
    shot(guardian, "phone-chat-voice-playing")
    # It plays to the end and is done.
    expect(theirs).to_have_attribute("data-state", "idle", timeout=10_000)
    # The list says what it was.
    server_list = server.api("/api/v1/conversations", login=guardian_login)["items"]
    assert next(c for c in server_list if c["id"] == conv)["last_message"]["kind"] == "voice"
    shot(teacher, "desktop-chat-voice-sent")


def test_a_refused_microphone_is_explained(new_page: NewPage, server: Server) -> None:
    page = new_page(lang="en")
    # The browser says no (as it does when the user blocks the site).
    page.add_init_script(
        "navigator.mediaDevices.getUserMedia = () =>"
        " Promise.reject(new DOMException('blocked', 'NotAllowedError'));"
    )
    _devices(page, server)
    page.get_by_test_id("chat-voice").click()
    expect(page.get_by_text("The microphone is blocked for this site", exact=False)).to_be_visible()
    expect(page.get_by_test_id("chat-recording")).to_have_count(0)
    box = page.get_by_test_id("chat-composer").locator("textarea")
    box.fill("still works")
    page.get_by_test_id("chat-send").click()
    expect(page.get_by_test_id("chat-message").filter(has_text="still works").last).to_be_visible()
