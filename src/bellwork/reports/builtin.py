"""The report templates every installation starts from (issue 14), in both languages: the
daily progress report (done today, plan for tomorrow, problems, customers followed up) and a
sales report with numbers. A unit copies one (`POST /reports/templates {builtin}`) and
changes it in the forms designer."""

from __future__ import annotations

from typing import Any

from bellwork.forms.fields import label_text
from bellwork.forms.rules import FormDefinition


def _l(zh: str, en: str) -> dict[str, str]:
    return {"zh-CN": zh, "en": en}


def _text(key: str, zh: str, en: str, required: bool = False) -> dict[str, Any]:
    return {"key": key, "kind": "textarea", "label": _l(zh, en), "required": required}


def _number(key: str, zh: str, en: str, unit: str, decimals: int = 0) -> dict[str, Any]:
    return {
        "key": key,
        "kind": "number",
        "label": _l(zh, en),
        "required": True,
        "min": 0,
        "decimals": decimals,
        "unit": unit,
    }


BUILTINS: dict[str, dict[str, Any]] = {
    "daily_progress": {
        "name": _l("工作日报", "Daily progress report"),
        "period": "daily",
        "fields": [
            _text("done_today", "今日完成工作", "Done today", required=True),
            _text("plan_tomorrow", "明日工作计划", "Plan for tomorrow", required=True),
            _text("problems", "遇到的问题", "Problems"),
            _number("customers", "跟进客户数", "Customers followed up", "个"),
        ],
    },
    "sales": {
        "name": _l("销售日报", "Daily sales report"),
        "period": "daily",
        "fields": [
            _number("visits", "拜访客户数", "Customer visits", "个"),
            _number("new_customers", "新增客户数", "New customers", "个"),
            _number("deals", "成交单数", "Deals closed", "单"),
            _number("amount", "成交金额", "Amount", "元", decimals=2),
            _text("notes", "备注", "Notes"),
        ],
    },
}


def builtin(key: str) -> FormDefinition:
    return FormDefinition.model_validate({"fields": BUILTINS[key]["fields"], "rules": []})


def builtin_name(key: str, locale: str | None = None) -> str:
    return label_text(BUILTINS[key]["name"], locale)
