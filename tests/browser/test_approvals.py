"""Approvals in the browser (issue 14, "Done when"): an engineer of the demo company asks for a
day of leave from a phone-sized page — told under the question what is missing first, shown
the leave balance — and their department's head approves it on another page; the decision
shows on the engineer's page as it happens. A guardian files a student leave for their child
from a phone, and the class teacher approves it.

Counts come from the API, never literals: other tests share the demo server."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, login, shot

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]
SHANGHAI = "Asia/Shanghai"


def _phone(new_page: NewPage) -> Any:
    return new_page(width=390, height=844, timezone_id=SHANGHAI, has_touch=True, is_mobile=True)


def _fill_leave(page: Any, kind: str, day: str, reason: str) -> None:
    page.get_by_test_id(f"choice-leave_type-{kind}").click()
    page.get_by_test_id("field-start").locator("input").fill(day)
    page.get_by_test_id("field-end").locator("input").fill(day)
    page.get_by_test_id("field-days").locator("input").fill("1")
    page.get_by_test_id("field-reason").locator("textarea").fill(reason)


def _approve(page: Any) -> None:
    page.get_by_test_id("approvals-approve").click()
    page.get_by_test_id("approvals-opinion").fill("同意，注意交接")
    page.locator("#approvals-confirm").click()


def test_an_engineer_asks_for_leave_on_a_phone_and_the_manager_approves_live(
    new_page: NewPage, server: Server
) -> None:
    mine = server.api("/api/v1/approvals/templates", login="engineer")
    leave = next(t for t in mine if t["kind"] == "leave")
    page = server.api(f"/api/v1/approvals/templates/{leave['id']}/submit", login="engineer")
    remaining = page["balance"][0]["remaining"]

    phone = _phone(new_page)
    login(phone, "engineer", then="/workbench")
    phone.get_by_test_id("tile-approvals.inbox").click()
    expect(phone).to_have_url(re.compile(r"/approvals$"))
    phone.get_by_test_id("approvals-new").click()
    phone.get_by_test_id("approvals-pick-leave").click()
    expect(phone.get_by_test_id("approvals-balance-annual")).to_contain_text(f"{remaining:g}")
    expect(phone.get_by_test_id("approvals-flow-preview")).to_contain_text("直属主管")
    phone.get_by_test_id("choice-leave_type-annual").click()
    phone.get_by_test_id("field-start").locator("input").fill("2026-12-14")
    phone.get_by_test_id("approvals-submit").click()
    # What is missing is said under its question; what was filled in stays.
    expect(phone.get_by_test_id("field-reason")).to_contain_text("必填")
    expect(phone.get_by_test_id("field-start").locator("input")).to_have_value("2026-12-14")
    _fill_leave(phone, "annual", "2026-12-14", "家中有事")
    shot(phone, "phone-approvals-submit")
    phone.get_by_test_id("approvals-submit").click()
    expect(phone).to_have_url(re.compile(r"/approvals/\d+$"))
    expect(phone.get_by_test_id("approvals-status")).to_have_text("审批中")
    request_id = int(phone.url.rsplit("/", 1)[1])

    shown = server.api(f"/api/v1/approvals/{request_id}", login="engineer")
    manager = shown["waiting_on"][0]
    manager_phone = server.api(f"/api/v1/people/{manager['id']}")["phone"]
    expect(phone.get_by_test_id("approvals-step-0")).to_contain_text(manager["name"])

    # The department's head, on a desktop page: the request waits in their list.
    desk = new_page()
    login(desk, manager_phone, then="/approvals")
    item = desk.get_by_test_id(f"approvals-item-{request_id}")
    expect(item).to_contain_text("请假")
    item.click()
    expect(desk.get_by_test_id("approvals-answers")).to_contain_text("家中有事")
    _approve(desk)
    expect(desk.get_by_test_id("approvals-status")).to_have_text("已通过")
    expect(desk.get_by_test_id("approvals-timeline")).to_contain_text("同意，注意交接")

    # The engineer's page shows the decision without being reloaded.
    expect(phone.get_by_test_id("approvals-status")).to_have_text("已通过")
    expect(phone.get_by_test_id("approvals-timeline")).to_contain_text(manager["name"])
    expect(phone.get_by_test_id("approvals-actions")).to_have_count(0)
    shot(phone, "phone-approvals-approved")
    left = server.api(f"/api/v1/approvals/templates/{leave['id']}/submit", login="engineer")
    assert left["balance"][0]["remaining"] == remaining - 1


def test_a_guardian_files_a_student_leave_and_the_class_teacher_approves(
    new_page: NewPage, server: Server
) -> None:
    assert server.guardian_phone, "the demo prints a guardian's phone"
    mine = server.api("/api/v1/approvals/templates", login=server.guardian_phone)
    student = next(t for t in mine if t["kind"] == "student_leave")
    page = server.api(
        f"/api/v1/approvals/templates/{student['id']}/submit", login=server.guardian_phone
    )
    child = page["subjects"][0]["name"]

    phone = _phone(new_page)
    login(phone, server.guardian_phone, then="/approvals")
    phone.get_by_test_id("approvals-new").click()
    phone.get_by_test_id("approvals-pick-student_leave").click()
    expect(phone.get_by_test_id("approvals-subject")).to_contain_text(child)
    _fill_leave(phone, "sick", "2026-12-15", "发烧，在家休息")
    phone.get_by_test_id("approvals-submit").click()
    expect(phone).to_have_url(re.compile(r"/approvals/\d+$"))
    expect(phone.get_by_test_id("approvals-detail-title")).to_contain_text(child)
    request_id = int(phone.url.rsplit("/", 1)[1])
    shot(phone, "phone-approvals-student-leave")

    teacher = new_page(width=390, height=844, timezone_id=SHANGHAI, has_touch=True, is_mobile=True)
    login(teacher, "teacher", then="/approvals")
    teacher.get_by_test_id(f"approvals-item-{request_id}").click()
    expect(teacher.get_by_test_id("approvals-answers")).to_contain_text("发烧")
    _approve(teacher)
    expect(teacher.get_by_test_id("approvals-status")).to_have_text("已通过")
    expect(phone.get_by_test_id("approvals-status")).to_have_text("已通过")
    mine_now = server.api("/api/v1/approvals?box=mine", login=server.guardian_phone)
    assert next(i for i in mine_now["items"] if i["id"] == request_id)["status"] == "approved"


def test_the_company_head_changes_a_flow_and_gets_a_new_version(
    new_page: NewPage, server: Server
) -> None:
    me = server.api("/api/v1/auth/me", login="ceo")
    company = next(u for u in me["managed_unit_ids"])
    listed = server.api(f"/api/v1/approvals/templates?unit_id={company}", login="ceo")
    purchase = next(t for t in listed if t["kind"] == "purchase")
    before = purchase["flow_version"]

    page = new_page()
    login(page, "ceo", then="/approvals")
    page.get_by_test_id("approvals-templates").click()
    expect(page).to_have_url(re.compile(r"/approvals/templates"))
    page.goto(f"/approvals/templates?unit={company}")
    row = page.get_by_test_id(f"approvals-tpl-{purchase['id']}")
    expect(row).to_contain_text(f"流程第 {before} 版")
    page.get_by_test_id(f"approvals-tpl-flow-{purchase['id']}").click()
    editor = page.get_by_test_id("approvals-flow-editor")
    expect(editor.get_by_test_id("approvals-step-name-0")).to_have_value("直属主管")
    # A built-in step's name is in both languages: renaming it in Chinese keeps the English.
    step0 = editor.locator(".ant-card").first
    expect(step0.locator("input").nth(1)).to_have_value("Direct manager")
    page.get_by_test_id("approvals-step-name-0").fill("部门主管")
    page.get_by_test_id("approvals-step-add").click()
    page.get_by_test_id("approvals-step-name-2").fill("行政确认")
    page.get_by_test_id("approvals-flow-save").click()
    expect(row).to_contain_text(f"流程第 {before + 1} 版")
    after = server.api(f"/api/v1/approvals/templates?unit_id={company}", login="ceo")
    flow = next(t for t in after if t["id"] == purchase["id"])["flow"]
    assert [s["name"] for s in flow["steps"]][2] == "行政确认"
    assert flow["steps"][0]["name"] == {"zh-CN": "部门主管", "en": "Direct manager"}
    assert flow["steps"][2]["approvers"]["kind"] == "manager"


def test_the_flow_preview_shows_only_the_steps_the_answers_go_through(
    new_page: NewPage, server: Server
) -> None:
    # English, on a phone: the demo's expense claim asks the finance head over 5,000 only.
    phone = new_page(
        width=390, height=844, timezone_id=SHANGHAI, has_touch=True, is_mobile=True, locale="en"
    )
    login(phone, "engineer", then="/approvals/new")
    phone.get_by_test_id("approvals-pick-expense").click()
    preview = phone.get_by_test_id("approvals-flow-preview")
    expect(preview).to_contain_text("Direct manager")
    expect(preview).not_to_contain_text("Finance head")
    amount = phone.get_by_test_id("field-amount").locator("input")
    amount.fill("300")
    expect(preview).to_contain_text("Direct manager")
    expect(preview).not_to_contain_text("Finance head")
    amount.fill("8000")
    expect(preview).to_contain_text("Finance head (over 5,000)")
    shot(phone, "phone-approvals-preview-en")
    amount.fill("5000")
    expect(preview).not_to_contain_text("Finance head")


def test_the_lists_find_a_request_by_what_was_typed_in_its_answers(
    new_page: NewPage, server: Server
) -> None:
    mine = server.api("/api/v1/approvals/templates", login="engineer")
    purchase = next(t for t in mine if t["kind"] == "purchase")
    body = {
        "client_id": "browser-search-1",
        "template_id": purchase["id"],
        "version": purchase["version"],
        "answers": {"item": "Standing desk 升降桌", "quantity": 1, "amount": 900, "reason": "久坐"},
    }
    req = server.api("/api/v1/approvals", login="engineer", method="POST", body=body)

    phone = new_page(
        width=390, height=844, timezone_id=SHANGHAI, has_touch=True, is_mobile=True, locale="en"
    )
    login(phone, "engineer", then="/approvals")
    phone.get_by_test_id("approvals-tab-mine").click()
    search = phone.get_by_test_id("approvals-search").locator("input")
    expect(search).to_have_attribute("placeholder", "Search titles, people, answers")
    search.fill("standing DESK")
    search.press("Enter")
    expect(phone.get_by_test_id(f"approvals-item-{req['id']}")).to_be_visible()
    search.fill("no such thing at all")
    search.press("Enter")
    expect(phone.get_by_test_id(f"approvals-item-{req['id']}")).to_have_count(0)
