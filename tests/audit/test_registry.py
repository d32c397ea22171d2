"""Every recorded action has words; entries are shown in the reader's words (no database)."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args
from zoneinfo import ZoneInfo

import pytest

from bellwork.audit.actions import ACTIONS, FIELDS, TARGET_TYPES, action_label, check
from bellwork.audit.models import AuditEntry
from bellwork.audit.present import Names, Reader, changes, present
from bellwork.org.importer.model import Kind

SRC = Path(__file__).resolve().parents[2] / "src" / "bellwork"
# Calls whose action is not a literal, and the actions they can record.
DYNAMIC = {
    "org/importer/apply.py": {f"import.{k}" for k in get_args(Kind)},
}
ZH = Reader("zh-CN", ZoneInfo("Asia/Shanghai"))
EN = Reader("en", ZoneInfo("Europe/London"))


def _literals(node: ast.expr) -> set[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        a, b = _literals(node.body), _literals(node.orelse)
        return a | b if a is not None and b is not None else None
    return None


def recorded_actions() -> tuple[dict[str, set[str]], list[str]]:
    """Action literals passed to `record(...)` anywhere in src/, by file; calls not understood."""
    found: dict[str, set[str]] = {}
    unknown: list[str] = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name != "record" or len(node.args) < 3:
                continue
            actions = _literals(node.args[2])
            if actions is None:
                if rel in DYNAMIC:
                    actions = DYNAMIC[rel]
                else:
                    unknown.append(f"{rel}:{node.lineno}")
                    continue
            found.setdefault(rel, set()).update(actions)
    return found, unknown


def test_every_action_recorded_in_src_has_words() -> None:
    found, unknown = recorded_actions()
    assert not unknown, f"record() with an action this test cannot read: {unknown}"
    everything = set().union(*found.values())
    assert len(everything) >= 15  # the scan finds the calls (people, units, tokens, jobs …)
    missing = sorted(everything - set(ACTIONS))
    assert not missing, f"actions recorded but not in bellwork.audit.actions.ACTIONS: {missing}"


def test_registry_is_complete_in_both_languages() -> None:
    for name, a in ACTIONS.items():
        assert a.target_type in TARGET_TYPES, name
        assert a.zh.strip() and a.en.strip(), name
    for name, f in FIELDS.items():
        assert f.zh.strip() and f.en.strip(), name
    assert len({a.zh for a in ACTIONS.values()}) == len(ACTIONS)
    assert len({a.en for a in ACTIONS.values()}) == len(ACTIONS)


def test_record_refuses_what_it_could_not_show() -> None:
    check("person.update", "person", ({"name": "甲"}, {"name": "乙"}))
    with pytest.raises(ValueError, match=r"person\.merge"):
        check("person.merge", "person", (None, None))
    with pytest.raises(ValueError, match="nickname"):
        check("person.update", "person", ({"nickname": "甲"}, None))
    with pytest.raises(ValueError, match="targets person"):
        check("person.update", "unit", (None, None))


def entry(
    action: str, target_type: str, before: Any, after: Any, target_id: int | None = 7
) -> AuditEntry:
    return AuditEntry(
        id=1,
        at=datetime(2025, 3, 1, 0, 30, tzinfo=UTC),
        actor_id=None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=before,
        after=after,
        address=None,
    )


def lines(e: AuditEntry, reader: Reader, names: Names | None = None) -> list[str]:
    out = []
    for c in changes(e, names or Names(), reader):
        b = c.before.text if c.before else None
        a = c.after.text if c.after else None
        both = b is not None and a is not None
        out.append(f"{c.label}: {b} → {a}" if both else f"{c.label}: {a or b}")
    return out


def test_an_update_shows_only_what_changed_in_words() -> None:
    e = entry(
        "unit.move",
        "unit",
        {"name": "1班", "kind": "class", "parent_id": 3, "path": "/1/3/7/", "archived": False},
        {"name": "1班", "kind": "class", "parent_id": 4, "path": "/1/4/7/", "archived": False},
    )
    names = Names(found={"unit": {3: "一年级"}}, asked={"unit": {3, 4}})
    # The path is the parent said again: hidden. Unit 4 no longer exists.
    assert lines(e, ZH, names) == ["上级组织: 一年级 → (已删除) #4"]
    assert lines(e, EN, names) == ["Parent unit: 一年级 → (deleted) #4"]
    (c,) = changes(e, names, ZH)
    assert c.before is not None and c.before.ref is not None and c.before.ref.id == 3
    assert c.after is not None and c.after.ref is not None and c.after.ref.deleted


def test_values_are_formatted_for_the_reader() -> None:
    e = entry(
        "person.update",
        "person",
        {"is_admin": False, "title": None, "phone": "13800000000"},
        {"is_admin": True, "title": "班主任", "phone": ""},
    )
    assert lines(e, ZH) == ["系统管理员: 否 → 是", "职务: — → 班主任", "手机号: 13800000000 → —"]
    assert lines(e, EN) == [
        "Administrator: No → Yes",
        "Title: — → 班主任",
        "Phone: 13800000000 → —",
    ]
    m = entry("membership.create", "person", None, {"unit_id": 3, "role": "teacher", "title": None})
    names = Names(found={"unit": {3: "1班"}}, asked={"unit": {3}})
    # A creation: the one side, empty values left out, roles in words.
    assert lines(m, ZH, names) == ["组织: 1班", "身份: 教师"]
    assert lines(m, EN, names) == ["Unit: 1班", "Role: Teacher"]
    imp = entry("import.roster", "unit", None, {"rows": 12345, "units_created": 0})
    assert lines(imp, EN) == ["Rows: 12,345", "Units created: 0"]
    job = entry("job.retry", "job", {"state": "dead", "attempts": 10}, {"state": "queued"})
    assert lines(job, ZH) == ["状态: 已失败 → 排队中", "已尝试次数: 10 → —"]
    kinds = entry("unit.update", "unit", {"kind": "grade"}, {"kind": "class"})
    assert lines(kinds, ZH) == ["类型: 年级 → 班级"]


def test_unknown_actions_and_fields_fall_back_readably() -> None:
    assert action_label("person.merge", "zh-CN") == "人员 · merge"
    assert action_label("robot.rename", "en") == "robot · rename"
    e = entry(
        "person.merge",
        "person",
        None,
        {"merged_into": 12, "last_login_at": "2025-03-01T00:00:00+00:00", "tags": ["a", "b"]},
    )
    (out,) = present([e], Names(), EN)
    assert out.action_label == "Person · merge"
    assert [(c.label, c.after.text if c.after else None) for c in out.changes] == [
        ("merged into", "12"),
        ("last login at", "2025-03-01T00:00:00+00:00"),
        ("tags", '["a", "b"]'),
    ]
    assert out.target.label == "(deleted) #7"  # a person that is not in Names


def test_targets_and_actors_by_name() -> None:
    e = entry("token.create", "token", None, {"name": "同步脚本"}, target_id=5)
    e.actor_id = 2
    names = Names(found={"person": {2: "管理员"}, "token": {5: "同步脚本"}})
    (out,) = present([e], names, ZH)
    assert out.actor is not None and out.actor.label == "管理员" and not out.actor.deleted
    assert out.target.label == "同步脚本" and out.target.type == "token"
    assert out.action_label == "创建 API 令牌"
    job = entry("job.retry", "job", None, None, target_id=9)
    (out,) = present([job], Names(found={"job": {9: "chat.burn"}}), EN)
    assert out.target.label == "#9 chat.burn"
