"""Server-side messages in zh-CN and English; the request's Accept-Language picks one."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from bellwork.core.messages import MESSAGES

SUPPORTED = ("zh-CN", "en")
DEFAULT = "zh-CN"
current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT)

# The messages themselves live by domain in core/messages/.

THINGS: dict[str, dict[str, str]] = {
    "approval": {"en": "Approval", "zh-CN": "审批"},
    "approval_template": {"en": "Approval template", "zh-CN": "审批模板"},
    "approval_delegation": {"en": "Delegation", "zh-CN": "委托"},
    "report": {"en": "Report", "zh-CN": "汇报"},
    "report_template": {"en": "Report template", "zh-CN": "汇报模板"},
    "lesson": {"en": "Lesson", "zh-CN": "直播课"},
    "lesson_feed": {"en": "Video", "zh-CN": "视频"},
    "lesson_hand": {"en": "Raised hand", "zh-CN": "举手"},
    "lesson_replay": {"en": "Replay", "zh-CN": "回放"},
    "meeting": {"en": "Meeting", "zh-CN": "会议"},
    "meeting_feed": {"en": "Video", "zh-CN": "视频"},
    "meeting_participant": {"en": "Participant", "zh-CN": "参会人"},
    "meeting_attendance": {"en": "Attendance", "zh-CN": "参会记录"},
    "call": {"en": "Call", "zh-CN": "通话"},
    "call_feed": {"en": "The other person's video", "zh-CN": "对方的音视频"},
    "form_template": {"en": "Form template", "zh-CN": "表单模板"},
    "form_version": {"en": "Form version", "zh-CN": "表单版本"},
    "form_campaign": {"en": "Form", "zh-CN": "表单"},
    "form_export": {"en": "Export", "zh-CN": "导出"},
    "form_case": {"en": "Case", "zh-CN": "异常情况"},
    "qr_login": {"en": "QR login request", "zh-CN": "扫码登录请求"},
    "unit": {"en": "Unit", "zh-CN": "组织"},
    "person": {"en": "Person", "zh-CN": "人员"},
    "membership": {"en": "Membership", "zh-CN": "成员身份"},
    "token": {"en": "Token", "zh-CN": "令牌"},
    "guardian_link": {"en": "Guardian link", "zh-CN": "家长关系"},
    "page": {"en": "Page", "zh-CN": "页面"},
    "conversation": {"en": "Conversation", "zh-CN": "会话"},
    "message": {"en": "Message", "zh-CN": "消息"},
    "announcement": {"en": "Announcement", "zh-CN": "群公告"},
    "invite": {"en": "QR code or link", "zh-CN": "二维码或链接"},
    "join_request": {"en": "Request to join", "zh-CN": "入群申请"},
    "file": {"en": "File", "zh-CN": "文件"},
    "photo": {"en": "Photo", "zh-CN": "头像"},
    "job": {"en": "Job", "zh-CN": "任务"},
    "ding": {"en": "DING", "zh-CN": "DING"},
    "notice": {"en": "Notice", "zh-CN": "通知"},
    "device": {"en": "Device", "zh-CN": "设备"},
}

FIELDS: dict[str, dict[str, str]] = {
    "phone": {"en": "Phone", "zh-CN": "手机号"},
    "email": {"en": "Email", "zh-CN": "邮箱"},
    "username": {"en": "Username", "zh-CN": "用户名"},
    "student_number": {"en": "Student number", "zh-CN": "学号"},
}


def pick_locale(accept_language: str | None) -> str:
    if not accept_language:
        return DEFAULT
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT


def t(key: str, locale: str | None = None, **params: Any) -> str:
    loc = locale or current_locale.get()
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    template = entry.get(loc) or entry["en"]
    translated = {name: _translate_param(name, value, loc) for name, value in params.items()}
    return template.format(**translated)


def validation_message(kind: str, ctx: dict[str, Any] | None, fallback: str) -> str:
    """A field error in the request's language: pydantic's error `kind` with its context, or
    the message of one of our own validators (`ValueError("must not be empty")`)."""
    ctx = ctx or {}
    if kind == "value_error":
        own = str(ctx.get("error", ""))
        return t(f"v.{own}") if f"v.{own}" in MESSAGES else _untranslated(fallback)
    key = f"v.{kind}"
    if key not in MESSAGES:
        return _untranslated(fallback)
    params: dict[str, Any] = {
        k: v for k, v in ctx.items() if k != "locale" and isinstance(v, str | int | float)
    }
    try:
        return t(key, **params)
    except (KeyError, IndexError):
        return fallback


def _untranslated(english: str) -> str:
    """A field error we have no words for: pydantic's English to English readers, a general
    sentence in the reader's language to everyone else (never English in a Chinese form)."""
    if current_locale.get() == "en":
        return english.removeprefix("Value error, ") or t("v.invalid")
    return t("v.invalid")


def _translate_param(name: str, value: Any, loc: str) -> Any:
    if name == "thing" and isinstance(value, str) and value in THINGS:
        return THINGS[value].get(loc, value)
    if name == "field" and isinstance(value, str) and value in FIELDS:
        return FIELDS[value].get(loc, value)
    return value
