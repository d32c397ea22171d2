"""A photo in a form, in the browser (docs/forms.md, "Photos and files"): a guardian on a phone
answers a photos-only question — a PDF is refused under the question with the server's reason
and the temperature typed stays — takes a photo instead, sees its thumbnail and submits; the
class teacher sees the photo beside the child's name in the statistics' people list; the same
form in English shows the photo and the camera button.

The day must be open whatever the hour: the campaign asks every day from today (in Shanghai),
00:00 to 23:59."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import Server, login, shot, until

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]
SHANGHAI = "Asia/Shanghai"


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 140, 90)).save(out, "JPEG", quality=85)
    return out.getvalue()


def photo_campaign(server: Server, name: str) -> int:
    """The teacher's class's daily check-in with a photo question, through the API."""
    me = server.api("/api/v1/auth/me", login="teacher")
    klass = next(
        m["unit"]["id"]
        for m in me["memberships"]
        if m["role"] == "teacher" and m["unit"].get("kind", "class") == "class"
    )
    template = server.api(
        "/api/v1/forms/templates",
        login="teacher",
        method="POST",
        body={
            "unit_id": klass,
            "name": name,
            "definition": {
                "fields": [
                    {
                        "kind": "temperature",
                        "key": "temperature",
                        "label": "体温",
                        "required": True,
                    },
                    {
                        "kind": "file",
                        "key": "photo",
                        "label": {"zh-CN": "健康码截图", "en": "Health code"},
                        "images_only": True,
                        "max_files": 2,
                        "required": True,
                    },
                ],
                "rules": [],
            },
        },
    )
    today = datetime.now(ZoneInfo(SHANGHAI)).date().isoformat()
    campaign = server.api(
        "/api/v1/forms/campaigns",
        login="teacher",
        method="POST",
        body={
            "client_id": f"photo-{time.time_ns()}",
            "template_id": template["id"],
            "unit_id": klass,
            "name": name,
            "subject": "student",
            "units": [{"unit_id": klass, "roles": ["student"]}],
            "schedule": {
                "kind": "daily",
                "weekdays": [1, 2, 3, 4, 5, 6, 7],
                "opens": "00:00",
                "deadline": "23:59",
                "start": today,
            },
        },
    )
    return int(campaign["id"])


def test_a_guardian_sends_a_photo_from_a_phone_and_the_teacher_sees_it(
    new_page: NewPage, server: Server
) -> None:
    guardian_phone = server.guardian_phone or "10000000009"
    name = f"拍照晨检 {time.time_ns() % 100_000}"
    cid = photo_campaign(server, name)
    todo = server.api("/api/v1/forms/todo", login=guardian_phone)
    child = next(i for i in todo if i["campaign_id"] == cid)["subject_id"]

    phone = new_page(width=390, height=844, timezone_id=SHANGHAI)
    login(phone, guardian_phone, then="/forms")
    phone.get_by_test_id("forms-todo-row").filter(has_text=name).click()
    fill = phone.get_by_test_id("forms-fill")
    expect(fill).to_be_visible()
    fill.locator("#answer-temperature").fill("36.5")
    question = fill.get_by_test_id("file-photo")
    # The camera: a photo input that asks for the phone's camera.
    camera = question.get_by_test_id("file-photo-camera")
    expect(camera).to_have_attribute("accept", "image/*")
    expect(camera).to_have_attribute("capture", "environment")
    expect(question.get_by_test_id("file-photo-take")).to_have_text("拍照")

    # A PDF for a photos-only question: refused under it, in the server's words.
    question.get_by_test_id("file-photo-input").set_input_files(
        files=[{"name": "证明.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%x\n"}]
    )
    failed = question.get_by_test_id("file-photo-item")
    expect(failed).to_have_attribute("data-state", "failed")
    expect(question.get_by_test_id("file-photo-failed")).to_contain_text("此题只能上传照片")
    expect(fill.locator("#answer-temperature")).to_have_value("36.5")  # the rest is kept
    shot(phone, "phone-forms-photo-refused")
    question.get_by_test_id("file-photo-remove").click()
    expect(question.get_by_test_id("file-photo-item")).to_have_count(0)

    # A photo from the camera: uploaded, its thumbnail shown.
    camera.set_input_files(
        files=[{"name": "健康码.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    item = question.get_by_test_id("file-photo-item")
    expect(item).to_have_attribute("data-state", "done")
    thumb = item.locator("img")
    expect(thumb).to_have_attribute("src", f"{item.locator('a').get_attribute('href')}/thumbnail")
    phone.wait_for_function(
        "el => el.complete && el.naturalWidth > 0", arg=thumb.element_handle(), timeout=15_000
    )
    shot(phone, "phone-forms-photo")
    fill.get_by_test_id("forms-submit").click()
    expect(phone.get_by_test_id("forms-done")).to_be_visible()

    # The teacher's statistics: the photo beside the child's name.
    teacher = new_page(timezone_id=SHANGHAI)
    login(teacher, "teacher", then="/forms")
    today = datetime.now(ZoneInfo(SHANGHAI)).date().isoformat()
    teacher.goto(f"/forms/campaigns/{cid}?day={today}")
    people = teacher.get_by_test_id("stats-people")

    def reload() -> None:
        if people.get_by_test_id("stats-person-file").count() == 0:
            teacher.reload()

    until(
        reload,
        lambda timeout: expect(people.get_by_test_id("stats-person-file")).to_have_count(
            1, timeout=timeout
        ),
    )
    shown = people.get_by_test_id("stats-person-file").locator("img")
    teacher.wait_for_function(
        "el => el.complete && el.naturalWidth > 0", arg=shown.element_handle(), timeout=15_000
    )
    shot(teacher, "desktop-forms-people-photo")

    # The same form in English on the phone: the photo is there, and the camera offered.
    english = new_page(width=390, height=844, timezone_id=SHANGHAI, lang="en")
    login(english, guardian_phone, then=f"/forms/fill/{cid}/{child}")
    again = english.get_by_test_id("file-photo")
    expect(again.get_by_test_id("file-photo-item")).to_have_attribute("data-state", "done")
    expect(again.get_by_test_id("file-photo-take")).to_have_text("Take a photo")
    expect(english.get_by_test_id("field-photo")).to_contain_text("Health code")
    shot(english, "phone-forms-photo-en")
