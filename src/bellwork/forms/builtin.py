"""The templates every installation starts from (issue 12): the daily student health check-in,
daily staff health, a head count and the return-to-school survey, in both languages. A school
copies one and changes it, or runs it as it is."""

from __future__ import annotations

from typing import Any

from bellwork.forms.rules import FormDefinition


def _l(zh: str, en: str) -> dict[str, str]:
    return {"zh-CN": zh, "en": en}


def _opt(value: str, zh: str, en: str) -> dict[str, Any]:
    return {"value": value, "label": _l(zh, en)}


YES_NO = [_opt("no", "否", "No"), _opt("yes", "是", "Yes")]

_SYMPTOMS = [
    _opt("none", "无", "None"),
    _opt("fever", "发热", "Fever"),
    _opt("cough", "咳嗽", "Cough"),
    _opt("sore_throat", "咽痛", "Sore throat"),
    _opt("fatigue", "乏力", "Fatigue"),
    _opt("diarrhea", "腹泻", "Diarrhoea"),
    _opt("other", "其他", "Other"),
]


def _health(subject_zh: str, subject_en: str) -> list[dict[str, Any]]:
    return [
        {
            "key": "today",
            "kind": "section",
            "label": _l(f"{subject_zh}今日健康", f"{subject_en} health today"),
        },
        {
            "key": "temperature",
            "kind": "temperature",
            "label": _l("体温", "Temperature"),
            "help": _l("请在测量后如实填写，单位 °C。", "Measure first; in °C."),
            "required": True,
        },
        {
            "key": "symptoms",
            "kind": "multiple",
            "label": _l("今日症状", "Symptoms today"),
            "options": _SYMPTOMS,
            "exclusive": "none",
            "required": True,
        },
        {
            "key": "symptom_note",
            "kind": "textarea",
            "label": _l("其他症状说明", "Other symptoms"),
            "show_if": {"field": "symptoms", "any_of": ["other"]},
            "required": True,
            "max_length": 500,
        },
        {
            "key": "travel",
            "kind": "single",
            "label": _l(
                "近 14 天是否去过中高风险地区", "Been to a medium- or high-risk area in 14 days"
            ),
            "options": YES_NO,
            "required": True,
        },
        {
            "key": "travel_area",
            "kind": "text",
            "label": _l("去过的地区", "Which area"),
            "show_if": {"field": "travel", "any_of": ["yes"]},
            "required": True,
        },
        {
            "key": "contact",
            "kind": "single",
            "label": _l(
                "近 14 天是否接触过确诊或疑似病例", "Contact with a confirmed or suspected case"
            ),
            "options": YES_NO,
            "required": True,
        },
        {
            "key": "location",
            "kind": "location",
            "label": _l("当前位置", "Where you are"),
        },
    ]


_HEALTH_RULES = [
    {
        "field": "temperature",
        "op": "gte",
        "value": 37.3,
        "label": _l("体温 ≥ 37.3 °C", "Temperature ≥ 37.3 °C"),
    },
    {
        "field": "symptoms",
        "op": "any_except",
        "value": ["none"],
        "label": _l("有症状", "Has symptoms"),
    },
    {
        "field": "travel",
        "op": "in",
        "value": ["yes"],
        "label": _l("去过中高风险地区", "Been to a risk area"),
    },
    {
        "field": "contact",
        "op": "in",
        "value": ["yes"],
        "label": _l("接触过病例", "Contact with a case"),
    },
]

BUILTINS: dict[str, dict[str, Any]] = {
    "student_health": {
        "name": _l("学生每日健康打卡", "Daily student health check-in"),
        "fields": _health("学生", "Student's"),
        "rules": _HEALTH_RULES,
    },
    "staff_health": {
        "name": _l("教职工每日健康", "Daily staff health"),
        "fields": [
            *_health("", "Your"),
            {
                "key": "work_mode",
                "kind": "single",
                "label": _l("今日工作方式", "Working today"),
                "options": [
                    _opt("onsite", "到岗", "On site"),
                    _opt("remote", "居家办公", "From home"),
                    _opt("leave", "请假", "On leave"),
                ],
                "required": True,
            },
        ],
        "rules": _HEALTH_RULES,
    },
    "head_count": {
        "name": _l("人数统计", "Head count"),
        "fields": [
            {
                "key": "present",
                "kind": "single",
                "label": _l("今天是否到校/到岗", "Present today"),
                "options": [_opt("yes", "是", "Yes"), _opt("no", "否", "No")],
                "required": True,
            },
            {
                "key": "reason",
                "kind": "single",
                "label": _l("未到原因", "Why not"),
                "options": [
                    _opt("sick", "病假", "Sick"),
                    _opt("personal", "事假", "Personal"),
                    _opt("other", "其他", "Other"),
                ],
                "show_if": {"field": "present", "any_of": ["no"]},
                "required": True,
            },
            {
                "key": "note",
                "kind": "text",
                "label": _l("备注", "Note"),
                "show_if": {"field": "present", "any_of": ["no"]},
            },
        ],
        "rules": [
            {
                "field": "reason",
                "op": "in",
                "value": ["sick"],
                "label": _l("病假", "Off sick"),
            }
        ],
    },
    "return_to_school": {
        "name": _l("返校情况调查", "Return-to-school survey"),
        "fields": [
            {
                "key": "return_date",
                "kind": "date",
                "label": _l("计划返校日期", "Planned return date"),
                "required": True,
            },
            {
                "key": "transport",
                "kind": "single",
                "label": _l("返校交通方式", "How you will travel"),
                "options": [
                    _opt("walk", "步行/骑行", "Walk or cycle"),
                    _opt("car", "家庭车辆", "Family car"),
                    _opt("bus", "公交/地铁", "Bus or metro"),
                    _opt("train", "火车/飞机", "Train or plane"),
                ],
                "required": True,
            },
            {
                "key": "id_number",
                "kind": "id_number",
                "label": _l("学生身份证号", "Student's ID number"),
                "required": True,
            },
            {
                "key": "guardian_phone",
                "kind": "phone",
                "label": _l("家长手机号", "Guardian's mobile"),
                "required": True,
            },
            {
                "key": "health_code",
                "kind": "single",
                "label": _l("健康码颜色", "Health code colour"),
                "options": [
                    _opt("green", "绿码", "Green"),
                    _opt("yellow", "黄码", "Yellow"),
                    _opt("red", "红码", "Red"),
                ],
                "required": True,
            },
            {
                "key": "health_code_photo",
                "kind": "file",
                "label": _l("健康码截图", "Screenshot of the health code"),
                "images_only": True,
                "max_files": 1,
            },
        ],
        "rules": [
            {
                "field": "health_code",
                "op": "in",
                "value": ["yellow", "red"],
                "label": _l("健康码非绿码", "Health code not green"),
            }
        ],
    },
}


def builtin(name: str) -> FormDefinition:
    """The built-in template `name`'s definition, checked."""
    spec = BUILTINS[name]
    return FormDefinition.model_validate({"fields": spec["fields"], "rules": spec["rules"]})
