"""A DING with a voice note and an attachment in the browser (issue 11): the teacher records a
voice note with Chromium's fake microphone (a beep) and attaches a picture on the compose
page, removes and re-adds them, sends; the guardian's phone card shows both — the voice note
plays when pressed, the picture opens — and the teacher's detail page has them too."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import Server, login, shot

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]


def _picture(path: Path) -> Path:
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 60, 40)).save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    return path


def _record(page: Any, seconds: int) -> None:
    compose = page.get_by_test_id("ding-compose")
    compose.get_by_test_id("chat-voice").click()
    expect(compose.get_by_test_id("chat-recording")).to_be_visible()
    expect(compose.get_by_test_id("chat-voice-elapsed")).to_have_text(
        f"0:0{seconds}", timeout=10_000
    )
    compose.get_by_test_id("chat-voice-send").click()
    expect(compose.get_by_test_id("ding-voice-chosen")).to_be_visible()


def test_a_ding_with_a_voice_note_and_a_picture(
    new_page: NewPage, server: Server, tmp_path: Path
) -> None:
    guardian_phone = server.guardian_phone or "10000000009"
    guardian_name = server.api("/api/v1/auth/me", login=guardian_phone)["name"]
    for d in server.api("/api/v1/dings/pending", login=guardian_phone):
        server.api(f"/api/v1/dings/{d['id']}/confirm", login=guardian_phone, method="POST")
    picture = _picture(tmp_path / "接送路线.png")

    guardian = new_page(390, 844, is_mobile=True, has_touch=True)
    login(guardian, guardian_phone, then=None)
    teacher = new_page(permissions=["microphone"])
    login(teacher, "teacher", then="/ding/new")
    compose = teacher.get_by_test_id("ding-compose")
    compose.get_by_test_id("ding-person-select").locator("input").fill(guardian_name)
    teacher.locator(".ant-select-item-option", has_text=guardian_name).first.click()
    text = f"放学接送改到北门，请听语音并看路线图 {time.time_ns() % 10_000}"
    compose.get_by_test_id("ding-text").fill(text)

    # A voice note, thrown away, then another kept; a picture, removed, then attached again.
    _record(teacher, 2)
    compose.get_by_test_id("ding-voice-remove").click()
    expect(compose.get_by_test_id("ding-voice-chosen")).to_have_count(0)
    _record(teacher, 3)
    chosen = compose.get_by_test_id("ding-voice-chosen").get_by_test_id("chat-voice-length")
    expect(chosen).to_have_text(re.compile(r"^[2-4]″$"))
    compose.locator("input[type=file]").set_input_files(str(picture))
    tag = compose.get_by_test_id("ding-attachment-tag")
    expect(tag).to_contain_text("接送路线.png")
    tag.locator(".ant-tag-close-icon").click()
    expect(tag).to_have_count(0)
    compose.locator("input[type=file]").set_input_files(str(picture))
    expect(tag).to_contain_text("接送路线.png")
    shot(teacher, "desktop-ding-compose-media")
    compose.get_by_test_id("ding-send").click()

    detail = teacher.get_by_test_id("ding-detail")
    expect(detail.get_by_test_id("ding-detail-text")).to_have_text(text)
    expect(detail.get_by_test_id("ding-voice")).to_be_visible()
    expect(detail.get_by_test_id("ding-attachment")).to_be_visible()

    # The guardian's phone: the card with the text, the voice note and the picture.
    card = guardian.get_by_test_id("ding-alert")
    expect(card.get_by_test_id("ding-alert-text")).to_have_text(text)
    bubble = card.get_by_test_id("ding-voice").get_by_test_id("chat-voice-bubble")
    expect(bubble).to_be_visible()
    expect(bubble.get_by_test_id("chat-voice-length")).to_have_text(re.compile(r"^[2-4]″$"))
    # Not played by itself: only a press starts it.
    expect(bubble).to_have_attribute("data-state", "idle")
    image = card.get_by_test_id("ding-attachment")
    expect(image).to_have_attribute("href", re.compile(r"^/api/v1/dings/files/\d+$"))
    expect(image.locator("img")).to_be_visible()
    guardian.wait_for_function(
        "(el) => el.complete && el.naturalWidth > 0", arg=image.locator("img").element_handle()
    )
    # Fits the phone: nothing wider than the screen.
    for part in (bubble, image):
        box = part.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    shot(guardian, "phone-ding-alert-media")
    bubble.tap()
    expect(bubble).to_have_attribute("data-state", "playing")
    expect(bubble).to_have_attribute("data-state", "idle", timeout=10_000)  # played to its end
    # The picture opens in a new tab, from the server, to the recipient.
    with guardian.context.expect_page() as opened:
        image.tap()
    big = opened.value
    big.wait_for_load_state()
    assert re.search(r"/api/v1/dings/files/\d+$", big.url), big.url
    big.close()
    card.get_by_test_id("ding-confirm").tap()
    expect(card).to_have_count(0)
    expect(detail.get_by_test_id("ding-detail-count")).to_have_text("已确认 1/1")
