"""The people API checks person fields as the importer does (issue 8): NFKC first (full-width
digits from Chinese input methods), phones as real numbers of their region, student numbers of
letters and digits, names without markup, no control characters or direction overrides; unit
names likewise. Every message in both languages."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import World


async def admin(world: World) -> httpx.AsyncClient:
    a = await world.person("管理员", username="admin", is_admin=True)
    return await world.login(a)


async def test_full_width_fields_are_stored_in_ordinary_form(world: World) -> None:
    c = await admin(world)
    r = await c.post(
        "/api/v1/people",
        json={
            "name": "Ｌｉ　Ｌｅｉ",
            "phone": "＋８６ １３９－１２３４－５６７８",
            "email": "ＬＩ＠ＥＸＡＭＰＬＥ．ＣＯＭ",
            "student_number": "Ｓ－００１",
            "title": "班长",
        },
    )
    assert r.status_code == 201, r.text
    p = r.json()
    assert (p["name"], p["phone"], p["email"], p["student_number"]) == (
        "Li Lei",
        "13912345678",
        "li@example.com",
        "S-001",
    )
    # The same phone written another way is the same phone.
    r = await c.post("/api/v1/people", json={"name": "甲", "phone": "139 1234 5678"})
    assert r.status_code == 409 and r.json()["code"] == "duplicate_value"


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("13800000001", "13800000001"),
        ("0086 138 0000 0001", "13800000001"),
        ("+852 9123 4567", "+85291234567"),
        ("+1 (415) 555-0123", "+14155550123"),
        ("100-0000-0139", "10000000139"),  # the reserved demo block (org/phones.py)
    ],
)
async def test_valid_phones(world: World, phone: str, stored: str) -> None:
    c = await admin(world)
    r = await c.post("/api/v1/people", json={"name": "甲", "phone": phone})
    assert r.status_code == 201, r.text
    assert r.json()["phone"] == stored


@pytest.mark.parametrize(
    "phone", ["1391234", "23912345678", "010 1234 5678", "+86 12345", "call me", "+999 1234567"]
)
async def test_invalid_phones(world: World, phone: str) -> None:
    c = await admin(world)
    r = await c.post(
        "/api/v1/people", json={"name": "甲", "phone": phone}, headers={"accept-language": "zh-CN"}
    )
    assert r.status_code == 422, r.text
    [e] = r.json()["errors"]
    assert e["field"] == "phone"
    assert e["message"] == "不是有效的手机号：大陆手机号为 11 位；其他地区请以 + 和国家代码开头。"


CASES: list[tuple[dict[str, Any], str, str, str]] = [
    (
        {"name": "<b>x</b>"},
        "name",
        "Must not contain < or > (markup).",
        "不能包含 < 或 >（网页标记）。",
    ),
    ({"name": "<script>alert(1)</script>"}, "name", "Must not contain < or > (markup).", ""),
    (
        {"name": "张\u202e伟"},
        "name",
        "Must not contain text-direction override characters (U+202A–U+202E, U+2066–U+2069).",
        "不能包含改变文字方向的控制字符（U+202A–U+202E、U+2066–U+2069）。",
    ),
    ({"name": "张\x1b伟"}, "name", "Must not contain control characters.", "不能包含控制字符。"),
    ({"name": "甲", "title": "主任\u2067"}, "title", "Must not contain text-direction", ""),
    (
        {"name": "甲", "student_number": "1; DROP TABLE person"},
        "student_number",
        "A student number holds only letters, digits and - _ . (not first).",
        "学号只能包含字母、数字和 - _ .（不能以符号开头）。",
    ),
    ({"name": "甲", "email": "not-an-email"}, "email", "Not a valid email address.", ""),
]


@pytest.mark.parametrize(("body", "field", "en", "zh"), CASES)
async def test_refused_person_fields(
    world: World, body: dict[str, Any], field: str, en: str, zh: str
) -> None:
    c = await admin(world)
    r = await c.post("/api/v1/people", json=body)
    assert r.status_code == 422, r.text
    [e] = r.json()["errors"]
    assert e["field"] == field and e["message"].startswith(en)
    if zh:
        r = await c.post("/api/v1/people", json=body, headers={"accept-language": "zh-CN"})
        assert r.json()["errors"][0]["message"] == zh
    # The same rules when a person is edited.
    p = (await c.post("/api/v1/people", json={"name": "乙"})).json()
    r = await c.patch(f"/api/v1/people/{p['id']}", json=body)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field


async def test_unit_names_refuse_overrides_and_fold_width(world: World) -> None:
    c = await admin(world)
    r = await c.post("/api/v1/units", json={"kind": "school", "name": "实验\u202e小学"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"].startswith("Must not contain text-direction")
    r = await c.post("/api/v1/units", json={"kind": "school", "name": "第１中学"})
    assert r.status_code == 201 and r.json()["name"] == "第1中学"
