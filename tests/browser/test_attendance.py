"""Attendance in the browser (issue 14): a teacher of the demo school checks in from a
phone-sized page — refused 2 km from the school's gate with the distance, taken at the gate
(Playwright's geolocation) — an engineer far from the office checks in as field work with a
note, and the school's guard (the class teacher) verifies a student's health pass that the
guardian shows, by the code typed at the gate page, and sees the name and colour — and the
child's photo, large, once the principal has set it on the child's card.

Colours come from the API, never literals: other tests share the demo server (and may have
filled today's check-in already)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from playwright.sync_api import expect

from bellwork.attendance.demo import OFFICE, SCHOOL_GATE
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, Server, login, shot

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]
PHONE = {"width": 390, "height": 844}
WEB = ROOT / "web"
# The month table's columns, after the name (web/src/features/attendance/StatsPage.tsx).
COLS = ("name", "expected", "present", "late", "early", "no_out", "absent", "leave", "field")
GOOD = {"temperature": 36.6, "symptoms": ["none"], "travel": "no", "contact": "no"}


def _phone(new_page: NewPage, at: tuple[float, float], lang: str | None = None) -> Any:
    return new_page(
        **PHONE,
        lang=lang,
        geolocation={"latitude": at[0], "longitude": at[1], "accuracy": 15},
        permissions=["geolocation"],
    )


def test_check_in_inside_the_geofence_refused_outside_and_field_work(
    new_page: NewPage, server: Server
) -> None:
    page = _phone(new_page, (SCHOOL_GATE[0] + 0.02, SCHOOL_GATE[1]))  # about 2.2 km north
    login(page, "teacher", then="/attendance")
    expect(page.get_by_test_id("attendance-shift")).to_contain_text("滨江实验小学作息")
    page.get_by_test_id("attendance-punch").click()
    refused = page.get_by_test_id("attendance-refused")
    expect(refused).to_contain_text("学校大门")
    expect(refused).to_contain_text("300 米范围内")
    distance = int(refused.inner_text().split("学校大门")[1].split("米")[0].strip())
    assert 2_100 < distance < 2_350
    before = len(server.api("/api/v1/attendance/today", login="teacher")["punches"])

    page.context.set_geolocation({"latitude": SCHOOL_GATE[0] + 0.0005, "longitude": SCHOOL_GATE[1]})
    page.get_by_test_id("attendance-punch").click()
    expect(page.get_by_test_id("attendance-punched")).to_be_visible()
    punches = page.get_by_test_id("attendance-punches")
    expect(punches.locator(".ant-list-item")).to_have_count(before + 1)
    expect(punches).to_contain_text("学校大门")

    # English, far from the office: the company allows field work with a note.
    office = _phone(new_page, (OFFICE[0] + 0.03, OFFICE[1]), lang="en")
    login(office, "engineer", then="/attendance")
    office.get_by_test_id("attendance-punch").click()
    expect(office.get_by_test_id("attendance-refused")).to_contain_text("add a note")
    office.get_by_test_id("attendance-note").fill("Visiting a customer")
    office.get_by_test_id("attendance-field").click()
    expect(office.get_by_test_id("attendance-punches")).to_contain_text(
        "Field work: Visiting a customer"
    )


def _fill_check_in(server: Server, guardian: str) -> None:
    """The guardian's check-in for their child today, if not filled yet (as on /forms)."""
    for item in server.api("/api/v1/forms/todo", login=guardian):
        if item["submitted"] or item["state"] == "upcoming":
            continue
        fill = server.api(
            f"/api/v1/forms/campaigns/{item['campaign_id']}/fill?subject_id={item['subject_id']}",
            login=guardian,
        )
        server.api(
            f"/api/v1/forms/campaigns/{item['campaign_id']}/submissions",
            login=guardian,
            method="POST",
            body={
                "client_id": f"att-{item['subject_id']}",
                "subject_id": item["subject_id"],
                "version": fill["version"],
                "answers": GOOD,
            },
        )


def test_a_guard_verifies_a_students_health_pass(
    new_page: NewPage, server: Server, tmp_path: Path
) -> None:
    guardian = server.guardian_phone or "10000000009"
    _fill_check_in(server, guardian)
    children = server.api("/api/v1/attendance/pass/subjects", login=guardian)[1:]
    child = children[0]
    # Start without a photo, whatever an earlier run against this server left.
    server.api(f"/api/v1/people/{child['id']}/photo", login="principal", method="DELETE")
    expected = server.api(f"/api/v1/attendance/pass?subject_id={child['id']}", login=guardian)

    parent = new_page(**PHONE)
    login(parent, guardian, then="/attendance/pass")
    shown = parent.get_by_test_id("attendance-pass")
    expect(shown).to_have_attribute("data-colour", expected["colour"])
    expect(parent.get_by_test_id("attendance-pass-colour")).to_contain_text(child["name"])
    expect(parent.locator("canvas")).to_be_visible()
    code = parent.get_by_test_id("attendance-pass-code").inner_text().strip()
    assert code.startswith(f"BW1-{child['id']}-")

    gate = new_page(**PHONE)
    login(gate, "teacher", then="/attendance/gate")
    gate.get_by_test_id("attendance-gate-input").fill(code)
    gate.get_by_test_id("attendance-gate-verify").click()
    result = gate.get_by_test_id("attendance-gate-result")
    expect(result).to_have_attribute("data-colour", expected["colour"])
    expect(gate.get_by_test_id("attendance-gate-name")).to_have_text(child["name"])
    # No photo yet: the name's first letter in its place.
    expect(gate.get_by_test_id("attendance-gate-photo")).to_have_text(child["name"][0])
    expect(gate.get_by_test_id("attendance-gate-photo")).to_have_attribute("data-photo", "no")
    expect(result).to_contain_text("已记录")

    # The principal gives the child a photo on the child's card in the directory...
    picture = tmp_path / "photo.png"
    img = Image.new("RGB", (900, 700), (240, 200, 160))
    img.paste((40, 60, 120), (300, 150, 600, 550))  # something of a face in the middle
    img.save(picture)
    head = new_page(**PHONE)
    login(head, "principal", then="/directory")
    head.goto(f"/directory?person={child['id']}")
    card = head.get_by_test_id("person-card")
    expect(card.get_by_test_id("person-card-name")).to_have_text(child["name"])
    card.get_by_test_id("photo-input").set_input_files(str(picture))
    avatar = card.get_by_test_id("person-card-avatar")
    expect(avatar).to_have_attribute("data-photo", "yes")
    expect(avatar.locator("img")).to_have_js_property("naturalWidth", 128)  # the thumbnail
    # ...and the next scan shows it, large, beside the colour.
    fresh = server.api(f"/api/v1/attendance/pass?subject_id={child['id']}", login=guardian)
    gate.get_by_test_id("attendance-gate-input").fill(fresh["code"])
    gate.get_by_test_id("attendance-gate-verify").click()
    photo = gate.get_by_test_id("attendance-gate-photo")
    expect(photo).to_have_attribute("data-photo", "yes")
    expect(photo.locator("img")).to_have_js_property("naturalWidth", 512)
    box = photo.bounding_box()
    assert box is not None and box["width"] >= 110  # large: a guard compares it with a face
    expect(result).to_have_attribute("data-colour", fresh["colour"])
    shot(gate, "attendance-gate-photo")

    # A forged code is refused with its reason.
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    gate.get_by_test_id("attendance-gate-input").fill(forged)
    gate.get_by_test_id("attendance-gate-verify").click()
    expect(gate.get_by_test_id("attendance-gate-refused")).to_contain_text("伪造")


def test_a_principal_keeps_the_rule_and_reads_the_month(new_page: NewPage, server: Server) -> None:
    page = new_page(**PHONE)
    login(page, "principal", then="/attendance/rules")
    form = page.get_by_test_id("attendance-rule-form")
    expect(form.locator("#name")).to_have_value("滨江实验小学作息")
    expect(form.get_by_label("地点名称").first).to_have_value("学校大门")
    page.get_by_test_id("attendance-rule-save").click()
    expect(page.get_by_text("已保存")).to_be_visible()

    page.goto("/attendance/stats")
    table = page.get_by_test_id("attendance-stats")
    expect(table).to_contain_text("合计")
    expect(page.get_by_test_id("attendance-export")).to_have_attribute(
        "href", re.compile(r"/api/v1/attendance/units/\d+/month/export\?month=\d{4}-\d{2}")
    )


def _camera_file(code: str, folder: Path) -> Path:
    """A Y4M video (what Chromium's fake camera plays) of the code's QR image, made with the
    web client's own `qrcode` package."""
    png = folder / "pass.png"
    script = "require('qrcode').toFile(process.argv[1], process.argv[2], {width: 360, margin: 4})"
    subprocess.run(["node", "-e", script, str(png), code], cwd=WEB, check=True, timeout=60)
    qr = Image.open(png).convert("L")
    frame = Image.new("L", (640, 480), 255)
    frame.paste(qr, ((640 - qr.width) // 2, (480 - qr.height) // 2))
    y = frame.tobytes()
    chroma = bytes([128]) * (320 * 240)
    video = folder / "pass.y4m"
    with video.open("wb") as f:
        f.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(10):
            f.write(b"FRAME\n" + y + chroma + chroma)
    return video


def test_the_gate_reads_a_pass_with_its_camera(
    browser: Any, server: Server, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The guard's camera (Chromium's fake camera playing the pass's QR image) reads the code
    through jsQR and the gate shows the child's name and colour."""
    guardian = server.guardian_phone or "10000000009"
    child = server.api("/api/v1/attendance/pass/subjects", login=guardian)[1]
    shown = server.api(f"/api/v1/attendance/pass?subject_id={child['id']}", login=guardian)
    video = _camera_file(shown["code"], tmp_path_factory.mktemp("camera"))
    # A browser of its own (the fake camera's file is a launch argument), from the same
    # Playwright as the session's.
    b = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={video}"],
    )
    try:
        ctx = b.new_context(
            viewport=PHONE, base_url=server.url, locale="zh-CN", permissions=["camera"]
        )
        ctx.set_default_timeout(20_000)
        page = ctx.new_page()
        login(page, "teacher", then="/attendance/gate")
        page.get_by_test_id("attendance-gate-camera").click()
        expect(page.get_by_test_id("attendance-gate-video")).to_be_visible()
        result = page.get_by_test_id("attendance-gate-result")
        expect(result).to_have_attribute("data-colour", shown["colour"])
        expect(page.get_by_test_id("attendance-gate-name")).to_have_text(child["name"])
    finally:
        b.close()


def _leave_days(today: date) -> list[date]:
    """The latest working day (Monday to Friday, the demo company's) before today, and the one
    before it if it is in the same month: days the month views have already counted."""
    found: list[date] = []
    day = today - timedelta(days=1)
    while len(found) < 2:
        if day.isoweekday() <= 5:
            if found and day.month != found[0].month:
                break
            found.append(day)
        day -= timedelta(days=1)
    return sorted(found)


def test_an_approved_leave_shows_on_the_employees_attendance(
    new_page: NewPage, server: Server
) -> None:
    """Issue 14's "Done when": an employee asks for leave from a phone, their manager approves
    it on another page, and the employee's own attendance — and the manager's month of the
    department — show those days as leave."""
    company = next(u for u in server.api("/api/v1/units") if u["name"] == "云帆科技有限公司")
    departments = server.api(f"/api/v1/units/{company['id']}/children")
    dept = next(u for u in departments if u["name"] == "市场部")
    members = server.api(f"/api/v1/people?unit_id={dept['id']}&limit=50")["items"]
    staff = [p for p in members if any(m["role"] == "staff" for m in p["memberships"])]
    head = next(p for p in members if any(m["role"] == "head" for m in p["memberships"]))
    employee = staff[-1]
    employee_phone = server.api(f"/api/v1/people/{employee['id']}")["phone"]
    head_phone = server.api(f"/api/v1/people/{head['id']}")["phone"]
    days = _leave_days(datetime.now(ZoneInfo("Asia/Shanghai")).date())
    month = days[0].strftime("%Y-%m")

    phone = new_page(**PHONE, timezone_id="Asia/Shanghai", has_touch=True, is_mobile=True)
    login(phone, employee_phone, then="/approvals")
    phone.get_by_test_id("approvals-new").click()
    phone.get_by_test_id("approvals-pick-leave").click()
    phone.get_by_test_id("choice-leave_type-personal").click()
    phone.get_by_test_id("field-start").locator("input").fill(days[0].isoformat())
    phone.get_by_test_id("field-end").locator("input").fill(days[-1].isoformat())
    phone.get_by_test_id("field-days").locator("input").fill(str(len(days)))
    phone.get_by_test_id("field-reason").locator("textarea").fill("家里老人住院")
    phone.get_by_test_id("approvals-submit").click()
    expect(phone).to_have_url(re.compile(r"/approvals/\d+$"))
    expect(phone.get_by_test_id("approvals-status")).to_have_text("审批中")
    request_id = int(phone.url.rsplit("/", 1)[1])

    # The department's head approves on a page of their own.
    desk = new_page(timezone_id="Asia/Shanghai")
    login(desk, head_phone, then="/approvals")
    desk.get_by_test_id(f"approvals-item-{request_id}").click()
    expect(desk.get_by_test_id("approvals-answers")).to_contain_text("家里老人住院")
    desk.get_by_test_id("approvals-approve").click()
    desk.get_by_test_id("approvals-opinion").fill("批准，早日康复")
    desk.locator("#approvals-confirm").click()
    expect(desk.get_by_test_id("approvals-status")).to_have_text("已通过")
    expect(phone.get_by_test_id("approvals-status")).to_have_text("已通过")

    # The employee's own month: those days are leave, from their check-in page.
    phone.goto("/attendance")
    phone.get_by_test_id("attendance-mine").click()
    expect(phone).to_have_url(re.compile(r"/attendance/mine"))
    phone.goto(f"/attendance/mine?month={month}")
    expect(phone.get_by_test_id("attendance-mine-month")).to_have_text(month)
    for d in days:
        expect(phone.get_by_test_id(f"attendance-day-{d.isoformat()}")).to_contain_text("请假")
    expect(phone.get_by_test_id("attendance-mine-count-leave")).to_have_text(f"请假 {len(days)} 天")
    shot(phone, "phone-attendance-my-month-leave")

    # The head's month of the department counts them as leave in the employee's row.
    view = server.api(
        f"/api/v1/attendance/units/{dept['id']}/month?month={month}", login=head_phone
    )
    assert next(p for p in view["people"] if p["id"] == employee["id"])["leave"] == len(days)
    desk.goto(f"/attendance/stats?unit={dept['id']}&month={month}")
    row = desk.locator(f'[data-testid="attendance-stats"] tr[data-row-key="{employee["id"]}"]')
    expect(row).to_contain_text(employee["name"])
    expect(row.locator("td").nth(COLS.index("leave"))).to_have_text(str(len(days)))
