"""The approval templates every installation starts from (issue 14), in both languages: a
leave request (with a yearly balance of annual leave), an expense claim and a purchase (a large
amount adds a step), and a student leave a guardian files for their child, approved by the
class teacher, and a correction of one's attendance (补卡). A unit copies one
(`POST /approvals/templates {builtin}`), then changes its questions in the forms designer and
its flow on the template."""

from __future__ import annotations

from typing import Any

from bellwork.approvals.flow import FlowSpec
from bellwork.forms.fields import label_text
from bellwork.forms.rules import FormDefinition

LEAVE = "leave"
STUDENT_LEAVE = "student_leave"
EXPENSE = "expense"
PURCHASE = "purchase"
# A forgotten check-in or check-out (补卡): once approved, attendance records it (its handler
# is plugged in by bellwork/wiring.py through approvals/outcomes.py).
CORRECTION = "correction"
# Kinds whose requests cover days (`start`..`end`): what attendance marks as leave.
LEAVE_KINDS = (LEAVE, STUDENT_LEAVE)


def _l(zh: str, en: str) -> dict[str, str]:
    return {"zh-CN": zh, "en": en}


def _choice(key: str, zh: str, en: str, options: list[tuple[str, str, str]]) -> dict[str, Any]:
    return {
        "key": key,
        "kind": "single",
        "label": _l(zh, en),
        "required": True,
        "options": [{"value": v, "label": _l(z, e)} for v, z, e in options],
    }


def _date(key: str, zh: str, en: str) -> dict[str, Any]:
    return {"key": key, "kind": "date", "label": _l(zh, en), "required": True}


def _number(key: str, zh: str, en: str, unit: str, decimals: int, least: float) -> dict[str, Any]:
    return {
        "key": key,
        "kind": "number",
        "label": _l(zh, en),
        "required": True,
        "min": least,
        "decimals": decimals,
        "unit": unit,
    }


def _text(key: str, zh: str, en: str, required: bool = True) -> dict[str, Any]:
    return {"key": key, "kind": "textarea", "label": _l(zh, en), "required": required}


def _short(key: str, zh: str, en: str) -> dict[str, Any]:
    return {"key": key, "kind": "text", "label": _l(zh, en), "required": True}


_LEAVE_FIELDS = [
    _date("start", "开始日期", "First day"),
    _date("end", "结束日期", "Last day"),
    _number("days", "请假天数", "Days", "天", 1, 0.5),
    _text("reason", "请假事由", "Reason"),
]
_MANAGER = {"kind": "manager"}
_BIG = [{"field": "amount", "op": "gt", "value": 5000}]

BUILTINS: dict[str, dict[str, Any]] = {
    LEAVE: {
        "name": _l("请假", "Leave request"),
        "fields": [
            _choice(
                "leave_type",
                "请假类型",
                "Leave type",
                [
                    ("annual", "年假", "Annual leave"),
                    ("personal", "事假", "Personal leave"),
                    ("sick", "病假", "Sick leave"),
                ],
            ),
            *_LEAVE_FIELDS,
        ],
        "flow": {
            "steps": [
                {"name": _l("直属主管", "Direct manager"), "approvers": _MANAGER},
                {
                    "name": _l("上级主管（3 天以上）", "Manager's manager (over 3 days)"),
                    "approvers": {"kind": "unit_head", "levels": 1},
                    "when": [{"field": "days", "op": "gt", "value": 3}],
                },
            ],
            "leave_allowance": {"annual": 5},
        },
    },
    EXPENSE: {
        "name": _l("报销", "Expense claim"),
        "fields": [
            _choice(
                "category",
                "报销类别",
                "Category",
                [
                    ("travel", "差旅费", "Travel"),
                    ("meals", "餐费", "Meals"),
                    ("office", "办公用品", "Office supplies"),
                    ("other", "其他", "Other"),
                ],
            ),
            _number("amount", "报销金额", "Amount", "元", 2, 0.01),
            _date("spent_on", "费用日期", "Date spent"),
            _text("details", "费用明细", "Details"),
        ],
        "flow": {
            "steps": [
                {"name": _l("直属主管", "Direct manager"), "approvers": _MANAGER},
                {
                    "name": _l("财务负责人（5000 元以上）", "Finance head (over 5,000)"),
                    "approvers": {"kind": "role", "role": "head"},
                    "when": _BIG,
                },
            ]
        },
    },
    PURCHASE: {
        "name": _l("采购", "Purchase"),
        "fields": [
            _short("item", "物品名称", "Item"),
            _number("quantity", "数量", "Quantity", "件", 0, 1),
            _number("amount", "预计金额", "Estimated amount", "元", 2, 0.01),
            _text("reason", "采购理由", "Reason"),
        ],
        "flow": {
            "steps": [
                {"name": _l("直属主管", "Direct manager"), "approvers": _MANAGER},
                {
                    "name": _l("负责人（5000 元以上）", "Head (over 5,000)"),
                    "approvers": {"kind": "role", "role": "head"},
                    "when": _BIG,
                },
            ]
        },
    },
    STUDENT_LEAVE: {
        "name": _l("学生请假", "Student leave"),
        "fields": [
            _choice(
                "leave_type",
                "请假类型",
                "Leave type",
                [("sick", "病假", "Sick leave"), ("personal", "事假", "Personal leave")],
            ),
            *_LEAVE_FIELDS,
        ],
        "flow": {
            "steps": [
                {"name": _l("班主任", "Class teacher"), "approvers": {"kind": "class_teacher"}}
            ]
        },
    },
}


BUILTINS[CORRECTION] = {
    "name": _l("补卡", "Attendance correction"),
    "fields": [
        _date("day", "补卡日期", "Day"),
        {"key": "time", "kind": "time", "label": _l("补卡时间", "Time"), "required": True},
        _text("reason", "补卡原因", "Reason"),
    ],
    "flow": {"steps": [{"name": _l("直属主管", "Direct manager"), "approvers": _MANAGER}]},
}


def builtin(key: str) -> FormDefinition:
    return FormDefinition.model_validate({"fields": BUILTINS[key]["fields"], "rules": []})


def builtin_flow(key: str, unit_id: int) -> FlowSpec:
    """The built-in flow, its "role" steps at the template's own unit (its head, until the
    designer names e.g. the finance department)."""
    raw = BUILTINS[key]["flow"]
    steps = [
        {
            **s,
            "approvers": {**s["approvers"], "unit_id": unit_id}
            if s["approvers"]["kind"] == "role"
            else s["approvers"],
        }
        for s in raw["steps"]
    ]
    return FlowSpec.model_validate({**raw, "steps": steps})


def builtin_name(key: str, locale: str | None = None) -> str:
    return label_text(BUILTINS[key]["name"], locale)
