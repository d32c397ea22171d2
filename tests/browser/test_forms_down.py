"""Down the tree in the browser (issue 12, point 7): the bureau head hands a daily check-in
down to every school from the new-collection page; a guardian on a phone finds its card in
their child's class group and opens the form from it; the principal, in English on a phone,
switches the school's copy to the school's extended template. The day is open whatever the
hour (00:00–23:59 every day from today, in Shanghai)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, login, shot, until
from tests.browser.test_forms import every_day

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]
SHANGHAI = "Asia/Shanghai"


def head_unit(server: Server, who: str) -> dict[str, Any]:
    me = server.api("/api/v1/auth/me", login=who)
    return next(m["unit"] for m in me["memberships"] if m["role"] == "head")


def wait_for(check: Callable[[], bool], seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.5)


def test_a_bureau_hands_a_check_in_down_and_a_guardian_fills_it_from_the_class_group(
    new_page: NewPage, server: Server
) -> None:
    guardian_phone = server.guardian_phone or "10000000009"
    today = datetime.now(ZoneInfo(SHANGHAI)).date().isoformat()
    name = f"全区晨检 {time.time_ns() % 100_000}"
    bureau = head_unit(server, "wangjianhua")
    school = head_unit(server, "principal")
    me = server.api("/api/v1/auth/me", login=guardian_phone)
    klass = next(m["unit"] for m in me["memberships"] if m["role"] == "guardian")
    # The class group exists before the day opens (the card goes into groups that exist).
    conv = server.api(f"/api/v1/units/{klass['id']}/group", login=guardian_phone)["id"]

    official = new_page(timezone_id=SHANGHAI)
    login(official, "wangjianhua", then="/forms")
    official.goto(f"/forms/campaigns/new?unit={bureau['id']}")
    form = official.get_by_test_id("forms-campaign-form")
    until(
        lambda: form.get_by_test_id("campaign-template").click(),
        lambda timeout: expect(
            official.locator(".ant-select-dropdown:visible .ant-select-item-option").first
        ).to_be_visible(timeout=timeout),
    )
    official.locator(".ant-select-dropdown:visible .ant-select-item-option").filter(
        has_text=re.compile(r"^学生每日健康打卡$")
    ).click()
    form.get_by_test_id("campaign-name").fill(name)
    every_day(form.get_by_test_id("campaign-weekdays"))
    form.get_by_test_id("campaign-opens").fill("00:00")
    form.get_by_test_id("campaign-deadline").fill("23:59")
    form.get_by_test_id("campaign-start").fill(today)
    form.get_by_test_id("campaign-hand-down").click()
    expect(form.get_by_test_id("campaign-hand-down")).to_have_attribute("aria-checked", "true")
    shot(official, "desktop-forms-hand-down")
    form.get_by_test_id("campaign-create").click()
    stats = official.get_by_test_id("forms-stats")
    expect(stats).to_contain_text(name)
    root = int(official.url.split("/forms/campaigns/")[1].split("?")[0])
    try:
        # Each school's copy is a job of its own; the page says how many are made.
        wait_for(
            lambda: (
                server.api(f"/api/v1/forms/campaigns/{root}", login="wangjianhua")["copies"] >= 2
            )
        )
        official.reload()
        expect(stats.get_by_test_id("campaign-handed-down")).to_contain_text("已下发到 2 所学校")
        expect(stats.get_by_test_id("stats-child")).to_have_count(2)

        # The guardian's phone: the card in the class group opens the form for their child.
        wait_for(
            lambda: any(
                m["kind"] == "form" and m["body"] == name
                for m in server.api(f"/api/v1/conversations/{conv}/messages", login=guardian_phone)[
                    "items"
                ]
            )
        )
        guardian = new_page(width=390, height=844, timezone_id=SHANGHAI)
        login(guardian, guardian_phone, then=f"/chat/{conv}")
        card = guardian.get_by_test_id("chat-form").filter(has_text=name)
        expect(card).to_contain_text("截止 23:59")
        shot(guardian, "phone-forms-card-in-class-group")
        card.get_by_test_id("chat-form-open").click()
        picker = guardian.get_by_test_id("chat-form-pick")
        fill = guardian.get_by_test_id("forms-fill")
        expect(fill.or_(picker.first)).to_be_visible()
        if picker.count():  # several children in the class: pick the first
            picker.first.click()
        expect(fill).to_contain_text(name)
        box = fill.bounding_box()  # the form uses the phone's width (a chat card's style once
        assert box is not None and box["width"] >= 360, box  # squeezed it to 320 px)
        shot(guardian, "phone-forms-fill-from-card")

        # The principal, in English on a phone: the school's copy, switched to an extended
        # template (made here through the API; the designer has its own test).
        copy = next(
            c
            for c in server.api(
                f"/api/v1/forms/campaigns?unit_id={school['id']}", login="principal"
            )
            if c["parent_id"] == root
        )
        base = server.api(f"/api/v1/forms/templates/{copy['template_id']}", login="principal")
        extra = {
            "key": "dorm",
            "kind": "single",
            "label": {"zh-CN": "是否住校", "en": "Boarding?"},
            "options": [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}],
        }
        ours = server.api(
            "/api/v1/forms/templates",
            login="principal",
            method="POST",
            body={
                "unit_id": school["id"],
                "name": f"Ours {name}",
                "base_id": base["id"],
                "definition": {
                    "fields": [*base["definition"]["fields"], extra],
                    "rules": base["definition"]["rules"],
                },
            },
        )
        principal = new_page(width=390, height=844, lang="en", timezone_id=SHANGHAI)
        login(principal, "principal", then=f"/forms/campaigns/{copy['id']}")
        page = principal.get_by_test_id("forms-stats")
        expect(page.get_by_test_id("campaign-from-above")).to_have_text("From above")
        switch = page.get_by_test_id("campaign-switch")
        option = principal.locator(".ant-select-dropdown:visible .ant-select-item-option").filter(
            has_text=f"Ours {name}"
        )
        until(
            lambda: switch.get_by_test_id("campaign-switch-template").click(),
            lambda timeout: expect(option).to_be_visible(timeout=timeout),
        )
        option.click()
        shot(principal, "phone-forms-use-extended-template-en")
        switch.get_by_test_id("campaign-switch-apply").click()
        expect(page.get_by_test_id("campaign-template-name")).to_have_text(f"Ours {name}")
        assert (
            server.api(f"/api/v1/forms/campaigns/{copy['id']}", login="principal")["template_id"]
            == ours["id"]
        )

        # The guardian had the form open before the switch: submitting says the school updated
        # it, its new question comes in, and the answers given so far stay.
        fill.get_by_test_id("choice-symptoms-none").click()
        fill.get_by_test_id("choice-travel-no").click()
        fill.get_by_test_id("choice-contact-no").click()
        fill.locator("#answer-temperature").fill("36.6")
        fill.get_by_test_id("forms-submit").click()
        expect(guardian.get_by_test_id("forms-fill-problem")).to_contain_text(
            "学校刚更新了这份表单"
        )
        expect(fill).to_contain_text("是否住校")
        expect(fill.locator("#answer-temperature")).to_have_value("36.6")
        shot(guardian, "phone-forms-template-changed")
    finally:
        # The next tests' guardians see no extra form.
        server.api(f"/api/v1/forms/campaigns/{root}/close", login="wangjianhua", method="POST")
