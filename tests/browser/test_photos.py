"""One's own photo (头像) in the browser: set on 我的 from a phone-sized page, shown at once
there and in the directory, replaced, then removed (the initial again); a refused file says
why in the person's language (org/photos.py, web/src/features/people/PersonPhoto.tsx)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import Server, login, shot

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]
PHONE = {"width": 390, "height": 844}


def _picture(folder: Path, name: str, colour: tuple[int, int, int], fmt: str = "PNG") -> Path:
    path = folder / name
    Image.new("RGB", (640, 480), colour).save(path, fmt)
    return path


def test_set_replace_and_remove_ones_own_photo(
    new_page: NewPage, server: Server, tmp_path: Path
) -> None:
    me = server.api("/api/v1/auth/me", login="engineer")
    server.api(f"/api/v1/people/{me['id']}/photo", login="engineer", method="DELETE")
    page = new_page(**PHONE)
    login(page, "engineer", then="/me")
    editor = page.get_by_test_id("photo-editor")
    expect(editor.get_by_test_id("photo-avatar")).to_have_attribute("data-photo", "no")
    expect(page.get_by_test_id("me-avatar")).to_have_text(me["name"][0])

    green = _picture(tmp_path, "a.png", (0, 160, 90))
    editor.get_by_test_id("photo-input").set_input_files(str(green))
    expect(editor.get_by_test_id("photo-avatar")).to_have_attribute("data-photo", "yes")
    big = editor.get_by_test_id("photo-avatar").locator("img")
    expect(big).to_have_js_property("naturalWidth", 480)  # 72 pixels: the photo, 480 square
    small = page.get_by_test_id("me-avatar").locator("img")
    expect(small).to_have_js_property("naturalWidth", 128)  # 56 pixels: the thumbnail
    first = small.get_attribute("src")
    expect(editor.get_by_test_id("photo-remove")).to_be_visible()
    shot(page, "me-photo")

    # Replaced: a new URL, shown at once.
    editor.get_by_test_id("photo-input").set_input_files(
        str(_picture(tmp_path, "b.jpg", (200, 40, 40), "JPEG"))
    )
    expect(small).not_to_have_attribute("src", first or "")

    # A colleague sees it in the directory list.
    other = new_page(**PHONE)
    login(other, "ceo", then="/directory")
    other.goto(f"/directory?q={me['name']}")
    row = other.get_by_test_id("person-row").filter(has_text=me["name"]).first
    expect(row.get_by_test_id("person-row-avatar")).to_have_attribute("data-photo", "yes")
    expect(row.get_by_test_id("person-row-avatar").locator("img")).to_have_js_property(
        "naturalWidth", 128
    )

    # A GIF is refused before it is sent, in the page's language.
    gif = _picture(tmp_path, "c.gif", (0, 0, 0), "GIF")
    editor.get_by_test_id("photo-input").set_input_files(str(gif))
    expect(page.locator(".ant-message")).to_contain_text("JPEG、PNG 或 WebP")

    # Removed: the initial again.
    editor.get_by_test_id("photo-remove").click()
    page.locator(".ant-popconfirm").get_by_role("button", name=re.compile("确\\s*认")).click()
    expect(editor.get_by_test_id("photo-avatar")).to_have_attribute("data-photo", "no")
    expect(page.get_by_test_id("me-avatar")).to_have_text(me["name"][0])
    assert page.errors == []
