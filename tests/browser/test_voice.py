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


def test_emoji_goes_in_at_the_caret_and_is_sent(new_page: NewPage, server: Server) -> None:
    page = new_page()
    login(page, "engineer", then="/chat")
    page.get_by_test_id("chat-devices").click()  # one's own devices: a conversation to oneself
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
    server.api("/api/v1/conversations/devices", login="engineer", method="POST")
    page = new_page(390, 844, lang="en", is_mobile=True, has_touch=True)
    login(page, "engineer", then="/chat")
    page.get_by_test_id("chat-list").locator("[data-kind=devices]").tap()
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
