"""找回密码 in the browser (issue 10, item 12): from the login page, a code by text message —
kept in the outbox on an installation with no SMS provider, where an admin reads it on the
发送记录 page — then a new password, then logging in with it, on a phone in English."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Server, login, shot

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]
PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True}
NEW = "spring-2026-new"


def test_forgot_password_by_a_code_in_the_outbox(new_page: NewPage, server: Server) -> None:
    phone_number = f"1390{time.time_ns() % 10_000_000:07d}"
    server.api(
        "/api/v1/people",
        method="POST",
        body={"name": "忘记密码的老师", "phone": phone_number, "memberships": []},
    )

    page = new_page(**PHONE, lang="en")
    page.goto("/login")
    page.get_by_test_id("login-forgot").click()
    expect(page).to_have_url(re.compile(r"/forgot$"))
    ask = page.get_by_test_id("forgot-ask")
    ask.locator("input").fill(phone_number)
    page.get_by_test_id("forgot-send").click()
    expect(page.get_by_test_id("forgot-sent")).to_contain_text("If the account exists")
    shot(page, "phone-en-forgot-code-sent")

    # The admin reads the code in the outbox (no SMS provider here).
    admin = new_page()
    login(admin, "admin", then="/deliveries")
    row = admin.get_by_test_id("delivery-row").filter(has_text=phone_number).first
    expect(row).to_contain_text("发件箱")
    body = row.get_by_test_id("delivery-body").inner_text()
    code = re.search(r"\b(\d{6})\b", body)
    assert code, body
    shot(admin, "desktop-delivery-outbox")

    # A wrong code says so; the right one sets the password.
    form = page.get_by_test_id("forgot-confirm")
    page.get_by_test_id("forgot-code").fill("000000" if code.group(1) != "000000" else "111111")
    page.get_by_test_id("forgot-new").fill(NEW)
    page.get_by_test_id("forgot-repeat").fill(NEW)
    page.get_by_test_id("forgot-submit").click()
    expect(form.get_by_test_id("forgot-error")).to_contain_text("wrong or has expired")
    page.get_by_test_id("forgot-code").fill(code.group(1))
    page.get_by_test_id("forgot-submit").click()
    expect(page.get_by_test_id("forgot-done")).to_contain_text("Your new password is set")
    shot(page, "phone-en-forgot-done")
    page.get_by_test_id("forgot-to-login").click()
    login(page, phone_number, password=NEW, then=None)
    expect(page).to_have_url(re.compile(r"/chat$"))
