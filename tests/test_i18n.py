"""Every message a person can meet exists in both languages, and no field error reaches a
Chinese reader in English."""

from __future__ import annotations

import ast
from pathlib import Path

import httpx

from bellwork.core import i18n
from tests.conftest import World

SRC = Path(__file__).resolve().parents[1] / "src" / "bellwork"


def own_validator_messages() -> list[tuple[str, str]]:
    """(file, message) of every `raise ValueError("...")` where request fields are checked: a
    validator's message is a code that `core.i18n.validation_message` looks up as `v.<code>`."""
    found = []
    for path in VALIDATOR_MODULES:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Raise)
                and isinstance(node.exc, ast.Call)
                and isinstance(node.exc.func, ast.Name)
                and node.exc.func.id == "ValueError"
                and node.exc.args
                and isinstance(node.exc.args[0], ast.Constant)
                and isinstance(node.exc.args[0].value, str)
            ):
                found.append((str(path.relative_to(SRC)), node.exc.args[0].value))
    return found


# Where request fields are checked: pydantic models and the validators they call. A ValueError
# raised elsewhere is a programming error (a job key too long, a naive datetime), never shown.
VALIDATOR_MODULES = sorted(
    [
        *SRC.rglob("schemas.py"),
        SRC / "core" / "text.py",
        SRC / "org" / "phones.py",
        SRC / "forms" / "fields.py",
        SRC / "forms" / "rules.py",
        SRC / "forms" / "periods.py",
    ]
)
NOT_SHOWN: set[str] = set()


def test_every_validator_message_is_translated() -> None:
    missing = [
        (where, message)
        for where, message in own_validator_messages()
        if message not in NOT_SHOWN and f"v.{message}" not in i18n.MESSAGES
    ]
    assert not missing, missing


def test_every_message_has_both_languages() -> None:
    for key, entry in i18n.MESSAGES.items():
        assert set(entry) >= {"en", "zh-CN"}, key
        assert entry["zh-CN"] != entry["en"] or key.startswith("v.") is False, key


async def test_field_errors_speak_chinese_to_chinese_readers(world: World) -> None:
    admin = await world.person("管理员", username="admin", is_admin=True)
    c = await world.login(admin)
    school = await world.unit("实验小学")
    await world.commit()
    for body in (
        {
            "name": "张三",
            "username": "a b",
            "memberships": [{"unit_id": school.id, "role": "teacher"}],
        },
        {"name": "张三", "email": "not-an-email", "memberships": []},
    ):
        r = await c.post("/api/v1/people", json=body, headers={"accept-language": "zh-CN"})
        assert r.status_code == 422, r.text
        for err in r.json()["errors"]:
            assert "Value error" not in err["message"], err
            assert not any("a" <= ch.lower() <= "z" for ch in err["message"]), err


def test_unknown_field_errors_fall_back_to_the_readers_language() -> None:
    token = i18n.current_locale.set("zh-CN")
    try:
        assert i18n.validation_message("value_error", {"error": "???"}, "Value error, ???") == (
            "此项的值无效。"
        )
        assert i18n.validation_message("brand_new_kind", {}, "Something") == "此项的值无效。"
    finally:
        i18n.current_locale.reset(token)
    token = i18n.current_locale.set("en")
    try:
        assert i18n.validation_message("value_error", {"error": "x"}, "Value error, x") == "x"
    finally:
        i18n.current_locale.reset(token)


async def test_client_fixture_is_english(client: httpx.AsyncClient) -> None:
    assert client.headers["accept-language"] == "en"
