"""Group names and file names refuse control characters and text-direction overrides (issue 8):
`\u202egpj.exe` would show as `exe.jpg`, and a name with a control character breaks the lists
it is shown in."""

from __future__ import annotations

from typing import Any

import pytest

from bellwork.chat.files import clean_name
from bellwork.core.errors import Invalid
from tests.chat.conftest import cmid
from tests.conftest import World

BAD = [
    ("\u202egpj.exe", "text_bidi"),
    ("a\u2066b", "text_bidi"),
    ("bell\x07", "text_control"),
    ("c1\x85", "text_control"),
    ("del\x7f.txt", "text_control"),
]
# HTTP clients percent-encode C0 controls in a multipart file name (\x07 arrives as %07), so
# the file-name rule for those is checked where names are cleaned.
HTTP_FILE_NAMES = [(n, c) for n, c in BAD if not any(ord(ch) < 0x20 for ch in n)]


@pytest.mark.parametrize("name", ["a\x00b", "bell\x07", "\u202egpj.exe", "x\u2069"])
def test_clean_name_refuses(name: str) -> None:
    with pytest.raises(Invalid) as caught:
        clean_name(name)
    assert caught.value.code == "file_name_invalid"


def test_clean_name_keeps_ordinary_names() -> None:
    assert clean_name("../../etc/课表\t2026.txt") == "课表 2026.txt"
    assert clean_name("\u200e👨\u200d👩\u200d👧.png") == "\u200e👨\u200d👩\u200d👧.png"


@pytest.mark.parametrize(("name", "code"), BAD)
async def test_group_names_refuse_controls_and_overrides(
    world: World, school: dict[str, Any], name: str, code: str
) -> None:
    t = await world.login(school["teacher"])
    r = await t.post(
        "/api/v1/conversations/groups",
        json={"name": name, "member_ids": [school["p1"].id]},
        headers={"accept-language": "zh-CN"},
    )
    assert r.status_code == 422, r.text
    [e] = r.json()["errors"]
    assert e["field"] == "name"
    assert (
        e["message"]
        == {
            "text_bidi": "不能包含改变文字方向的控制字符（U+202A–U+202E、U+2066–U+2069）。",
            "text_control": "不能包含控制字符。",
        }[code]
    )
    g = (
        await t.post(
            "/api/v1/conversations/groups", json={"name": "春游", "member_ids": [school["p1"].id]}
        )
    ).json()
    r = await t.patch(f"/api/v1/conversations/{g['id']}", json={"name": name})
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"].startswith("Must not contain")


@pytest.mark.parametrize(("name", "code"), HTTP_FILE_NAMES)
async def test_file_names_refuse_controls_and_overrides(
    world: World, school: dict[str, Any], name: str, code: str
) -> None:
    t = await world.login(school["teacher"])
    conv = (
        await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    ).json()["id"]
    r = await t.post(
        f"/api/v1/conversations/{conv}/files",
        files={"file": (name, b"hello", "text/plain")},
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "file_name_invalid"
    assert r.json()["title"].startswith("The file name contains control characters")
    r = await t.post(
        f"/api/v1/conversations/{conv}/files",
        files={"file": ("课表 2026.txt", b"hello", "text/plain")},
    )
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "课表 2026.txt"
    sent = await t.post(
        f"/api/v1/conversations/{conv}/messages",
        json={"client_msg_id": cmid(), "kind": "file", "file_id": r.json()["id"]},
    )
    assert sent.status_code == 201
