"""A form's design and the checks of one answer: every field kind, conditions, the ID number's
checksum, abnormal-answer rules and the built-in templates — what a filler is told, field by
field, in their language."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bellwork.core.i18n import current_locale
from bellwork.forms.builtin import BUILTINS, builtin
from bellwork.forms.fields import FormSchema, check_answers, id_number_ok, label_text, visible
from bellwork.forms.rules import FormDefinition, abnormal


def form(*fields: dict[str, Any], rules: list[dict[str, Any]] | None = None) -> FormDefinition:
    return FormDefinition.model_validate({"fields": list(fields), "rules": rules or []})


@pytest.fixture(autouse=True)
def english() -> Any:
    token = current_locale.set("en")
    yield
    current_locale.reset(token)


def errors_of(defn: FormDefinition, answers: dict[str, Any]) -> dict[str, str]:
    _, errors = check_answers(defn.fields, answers)
    return {e["field"]: e["message"] for e in errors}


def test_resident_id_numbers_need_their_check_character_and_a_real_birth_date() -> None:
    assert id_number_ok("11010519491231002X")
    assert id_number_ok("440524188001010014") is False  # born before 1900
    assert not id_number_ok("110105194912310021")  # wrong check character
    assert not id_number_ok("110105194902300028")  # 30 February
    assert not id_number_ok("11010519491231002")  # 17 characters
    assert not id_number_ok("01010519491231002X")  # no region starts with 0


def test_every_kind_cleans_a_good_answer() -> None:
    yes_no = [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}]
    defn = form(
        {"key": "head", "kind": "section", "label": "基本信息"},
        {"key": "name", "kind": "text", "label": "姓名", "required": True},
        {"key": "about", "kind": "textarea", "label": "说明"},
        {"key": "height", "kind": "number", "label": "身高", "unit": "cm", "min": 50, "max": 250},
        {"key": "ok", "kind": "single", "label": "是否", "options": yes_no},
        {
            "key": "many",
            "kind": "multiple",
            "label": "多选",
            "options": [
                {"value": "a", "label": "A"},
                {"value": "b", "label": "B"},
                {"value": "n", "label": "无"},
            ],
            "exclusive": "n",
        },
        {"key": "day", "kind": "date", "label": "日期"},
        {"key": "at", "kind": "time", "label": "时间"},
        {"key": "temp", "kind": "temperature", "label": "体温"},
        {"key": "phone", "kind": "phone", "label": "手机"},
        {"key": "idn", "kind": "id_number", "label": "身份证"},
        {"key": "where", "kind": "location", "label": "位置"},
        {"key": "pics", "kind": "file", "label": "照片", "max_files": 2},
        {"key": "stars", "kind": "rating", "label": "评分"},
    )
    clean, errors = check_answers(
        defn.fields,
        {
            "name": "  王小明 ",
            "about": "",
            "height": "１２０",  # full-width digits, as Chinese input methods type them
            "ok": "yes",
            "many": ["b", "a", "b"],
            "day": "2026-11-28",
            "at": "07:30:00",
            "temp": "36.55",
            "phone": "139 1234 5678",
            "idn": "11010519491231002x",
            "where": {"lat": 31.2304, "lng": 121.4737, "address": "上海市", "accuracy": 12},
            "pics": [7, 7, 8],
            "stars": 4,
            "unknown": "dropped",
        },
    )
    assert errors == []
    assert clean == {
        "name": "王小明",
        "height": 120,
        "ok": "yes",
        "many": ["a", "b"],
        "day": "2026-11-28",
        "at": "07:30",
        "temp": 36.6,
        "phone": "13912345678",
        "idn": "11010519491231002X",
        "where": {"lat": 31.2304, "lng": 121.4737, "address": "上海市", "accuracy": 12.0},
        "pics": [7, 8],
        "stars": 4,
    }


def test_each_bad_answer_is_named_with_its_question() -> None:
    defn = builtin("return_to_school")
    got = errors_of(
        defn,
        {
            "return_date": "2026-02-30",
            "transport": "rocket",
            "id_number": "110105194912310021",
            "guardian_phone": "12345",
            "health_code": "",
            "health_code_photo": [1, 2],
        },
    )
    assert got == {
        "answers.return_date": "Planned return date: enter a date (YYYY-MM-DD).",
        "answers.transport": "How you will travel: pick one of the options.",
        "answers.id_number": (
            "Student's ID number: not a valid ID number (check every digit; the last may be X)."
        ),
        "answers.guardian_phone": "Guardian's mobile: not a valid mobile number.",
        "answers.health_code": "Health code colour: required.",
        "answers.health_code_photo": "Screenshot of the health code: too many files (at most 1).",
    }


def test_numbers_and_temperatures_out_of_range_and_in_chinese() -> None:
    defn = form(
        {"key": "t", "kind": "temperature", "label": "体温", "required": True},
        {"key": "n", "kind": "number", "label": "人数", "unit": "人", "min": 0, "max": 60},
        {"key": "d", "kind": "number", "label": "金额", "decimals": 2},
    )
    token = current_locale.set("zh-CN")
    try:
        got = errors_of(defn, {"t": 99, "n": 61, "d": "1.234"})
    finally:
        current_locale.reset(token)
    assert got == {
        "answers.t": "体温：体温应在 34.0–43.0 °C 之间，请检查输入。",
        "answers.n": "人数：不能大于 60人。",
        "answers.d": "金额：最多 2 位小数。",
    }
    assert errors_of(defn, {"t": "abc", "n": -1, "d": "1.50"}) == {
        "answers.t": "体温: enter a number.",
        "answers.n": "人数: at least 0人.",
    }
    assert errors_of(defn, {"t": True}) == {"answers.t": "体温: enter a number."}
    assert errors_of(defn, {"t": "NaN"}) == {"answers.t": "体温: enter a number."}


def test_conditions_hide_questions_and_their_requirements() -> None:
    defn = builtin("student_health")
    base = {"temperature": 36.5, "symptoms": ["none"], "travel": "no", "contact": "no"}
    clean, errors = check_answers(defn.fields, {**base, "travel_area": "武汉"})
    assert errors == [] and "travel_area" not in clean  # hidden: dropped, not refused
    assert errors_of(defn, {**base, "travel": "yes"}) == {
        "answers.travel_area": "Which area: required."
    }
    assert errors_of(defn, {**base, "symptoms": ["other", "cough"]}) == {
        "answers.symptom_note": "Other symptoms: required."
    }
    assert errors_of(defn, {**base, "symptoms": ["none", "cough"]}) == {
        "answers.symptoms": "Symptoms today: “None” cannot be picked with other options."
    }
    shown = [f.key for f in visible(defn.fields, {**base, "travel": "yes"})]
    assert "travel_area" in shown and "symptom_note" not in shown


def test_abnormal_rules_say_why() -> None:
    defn = builtin("student_health")
    base = {"temperature": 36.5, "symptoms": ["none"], "travel": "no", "contact": "no"}
    clean, _ = check_answers(defn.fields, base)
    assert abnormal(defn.rules, clean) == []
    clean, _ = check_answers(defn.fields, {**base, "temperature": "37.3", "symptoms": ["cough"]})
    reasons = [label_text(r.label) for r in abnormal(defn.rules, clean)]
    assert reasons == ["Temperature ≥ 37.3 °C", "Has symptoms"]
    clean, _ = check_answers(defn.fields, {**base, "temperature": 37.2})
    assert abnormal(defn.rules, clean) == []


@pytest.mark.parametrize(
    "bad",
    [
        # two questions with one key
        {
            "fields": [
                {"key": "a", "kind": "text", "label": "A"},
                {"key": "a", "kind": "text", "label": "B"},
            ]
        },
        # a condition on a question asked later
        {
            "fields": [
                {
                    "key": "b",
                    "kind": "text",
                    "label": "B",
                    "show_if": {"field": "a", "any_of": ["x"]},
                },
                {
                    "key": "a",
                    "kind": "single",
                    "label": "A",
                    "options": [{"value": "x", "label": "X"}],
                },
            ]
        },
        # a condition on an option the question does not have
        {
            "fields": [
                {
                    "key": "a",
                    "kind": "single",
                    "label": "A",
                    "options": [{"value": "x", "label": "X"}],
                },
                {
                    "key": "b",
                    "kind": "text",
                    "label": "B",
                    "show_if": {"field": "a", "any_of": ["y"]},
                },
            ]
        },
        # a number rule on a text question
        {
            "fields": [{"key": "a", "kind": "text", "label": "A"}],
            "rules": [{"field": "a", "op": "gte", "value": 1, "label": "x"}],
        },
        # min above max
        {"fields": [{"key": "a", "kind": "number", "label": "A", "min": 5, "max": 1}]},
        # an unknown kind, a key with capitals, no questions at all
        {"fields": [{"key": "a", "kind": "essay", "label": "A"}]},
        {"fields": [{"key": "Name", "kind": "text", "label": "A"}]},
        {"fields": []},
    ],
)
def test_a_design_that_cannot_work_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        FormDefinition.model_validate(bad)


def test_builtin_templates_are_valid_in_both_languages() -> None:
    for name in BUILTINS:
        defn = builtin(name)
        assert isinstance(defn, FormSchema)
        for f in defn.fields:
            assert label_text(f.label, "zh-CN") and label_text(f.label, "en")
            assert label_text(f.label, "zh-CN") != label_text(f.label, "en") or f.kind == "section"
