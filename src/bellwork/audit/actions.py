"""Every action the audit log records, and every field its entries carry, in the reader's words.

`record` refuses an action or a field that is not listed here (a programming error, like an
unknown job kind), so nothing reaches the log that an administrator would read as
`person.merge` or `key: value`. tests/audit/test_registry.py also scans src/ for the actions
passed to `record` and fails for one missing here.

A field has a kind, which says how its value is shown (audit/present.py): text as it is, a
yes/no, a role or unit kind in words, a person or unit by name with a link, a list of
memberships ("一年级 / 2班 · 教师"), a count, a job's state, a moment in the reader's time
zone; `hidden` fields (a unit's materialised path, which its parent already says) are kept in
the entry but not shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

ValueKind = Literal[
    "text",
    "bool",
    "role",
    "unit_kind",
    "person",
    "unit",
    "memberships",
    "count",
    "job_state",
    "time",
    "hidden",
]


@dataclass(frozen=True)
class Action:
    target_type: str
    zh: str
    en: str

    def label(self, locale: str) -> str:
        return self.en if locale == "en" else self.zh


@dataclass(frozen=True)
class Field:
    kind: ValueKind
    zh: str
    en: str

    def label(self, locale: str) -> str:
        return self.en if locale == "en" else self.zh


# In the order the action filter lists them: people, memberships, units, imports, the rest.
ACTIONS: dict[str, Action] = {
    "person.create": Action("person", "新建人员", "Created a person"),
    "person.update": Action("person", "修改人员信息", "Changed a person's details"),
    "person.deactivate": Action("person", "停用账号", "Deactivated an account"),
    "person.reactivate": Action("person", "重新启用账号", "Reactivated an account"),
    "person.password_reset": Action("person", "重置密码", "Reset a password"),
    "person.photo_set": Action("person", "设置他人头像", "Set someone's photo"),
    "person.photo_remove": Action("person", "删除他人头像", "Removed someone's photo"),
    "person.password_change": Action("person", "修改自己的密码", "Changed their own password"),
    "person.password_recover": Action(
        "person", "用验证码找回密码", "Set a new password with a code sent to them"
    ),
    "membership.create": Action("person", "加入组织", "Added to a unit"),
    "membership.delete": Action("person", "移出组织", "Removed from a unit"),
    "guardian.link": Action("person", "关联家长", "Linked a guardian"),
    "guardian.unlink": Action("person", "解除家长关联", "Unlinked a guardian"),
    "unit.create": Action("unit", "新建组织", "Created a unit"),
    "unit.update": Action("unit", "修改组织", "Changed a unit"),
    "unit.move": Action("unit", "移动组织", "Moved a unit"),
    "unit.archive": Action("unit", "归档组织", "Archived a unit"),
    "unit.restore": Action("unit", "恢复组织", "Restored a unit"),
    "unit.settings": Action("unit", "修改组织设置", "Changed a unit's settings"),
    "import.roster": Action("unit", "导入学生名单", "Imported a class roster"),
    "import.staff": Action("unit", "导入教职工名单", "Imported a staff list"),
    "token.create": Action("token", "创建 API 令牌", "Created an API token"),
    "token.revoke": Action("token", "吊销 API 令牌", "Revoked an API token"),
    "job.retry": Action("job", "重试后台任务", "Retried a background job"),
    "form.template.create": Action("form_template", "新建表单模板", "Created a form template"),
    "form.template.update": Action("form_template", "修改表单模板", "Changed a form template"),
    "form.template.archive": Action("form_template", "归档表单模板", "Archived a form template"),
    "form.campaign.template": Action(
        "form_campaign", "更换下发表单的模板", "Switched a handed-down form's template"
    ),
    "form.cases.view": Action("unit", "查看异常情况名单", "Looked at abnormal check-ins, by name"),
    "form.responders": Action(
        "unit", "设置异常情况通知人", "Set who is told of abnormal check-ins"
    ),
    "form.export": Action("form_campaign", "导出表单数据", "Exported a form's submissions"),
    "form.remind": Action(
        "form_campaign", "提醒未填写表单的人", "Reminded those who have not filled a form"
    ),
    "form.people.view": Action(
        "form_campaign", "查看表单填写名单", "Looked at who filled a form, by name"
    ),
    "form.file.view": Action(
        "form_campaign", "查看表单中的照片或文件", "Looked at a photo or file of a form"
    ),
    "report.template.create": Action(
        "report_template", "新建汇报模板", "Created a report template"
    ),
    "report.template.update": Action(
        "report_template", "修改汇报模板", "Changed a report template"
    ),
    "report.template.archive": Action(
        "report_template", "归档汇报模板", "Archived a report template"
    ),
    "report.export": Action("report_template", "导出团队汇报", "Exported a team's reports"),
    # approvals
    "approval.template.create": Action(
        "approval_template", "新建审批模板", "Created an approval template"
    ),
    "approval.flow.update": Action("approval_template", "修改审批流程", "Changed an approval flow"),
    "approval.template.archive": Action(
        "approval_template", "归档审批模板", "Archived an approval template"
    ),
    "approval.export": Action("approval_template", "导出审批单", "Exported approval requests"),
    # attendance (issue 14)
    "attendance.rule.update": Action("unit", "修改考勤规则", "Changed an attendance rule"),
    "attendance.pass.refused": Action(
        "person", "拒绝了无效的健康码", "Refused a forged or expired health pass"
    ),
    "attendance.export": Action("unit", "导出考勤统计", "Exported attendance statistics"),
}

FIELDS: dict[str, Field] = {
    # people
    "name": Field("text", "名称", "Name"),
    "username": Field("text", "用户名", "Username"),
    "phone": Field("text", "手机号", "Phone"),
    "photo": Field("bool", "头像", "Photo"),
    "email": Field("text", "邮箱", "Email"),
    "student_number": Field("text", "学号", "Student number"),
    "title": Field("text", "职务", "Title"),
    "is_admin": Field("bool", "系统管理员", "Administrator"),
    "active": Field("bool", "账号启用", "Account active"),
    "must_change_password": Field("bool", "须修改密码", "Must change password"),
    "code_sent_by": Field("text", "验证码发送方式", "Code sent by"),
    # memberships and guardians
    "memberships": Field("memberships", "所属组织", "Memberships"),
    "unit_id": Field("unit", "组织", "Unit"),
    "role": Field("role", "身份", "Role"),
    "guardian_id": Field("person", "家长", "Guardian"),
    "relation": Field("text", "关系", "Relation"),
    # units
    "kind": Field("unit_kind", "类型", "Kind"),
    "parent_id": Field("unit", "上级组织", "Parent unit"),
    "path": Field("hidden", "路径", "Path"),
    "archived": Field("bool", "已归档", "Archived"),
    # unit settings (org/settings_schemas.py)
    "time_zone": Field("text", "时区", "Time zone"),
    "ding_senders": Field("text", "可发 DING 的身份", "Who may DING"),
    "sms_quota_month": Field("count", "每月短信额度", "SMS a month"),
    "voice_quota_month": Field("count", "每月语音额度", "Voice calls a month"),
    "ding_escalation": Field("text", "DING 升级提醒", "DING escalation"),
    "form_retention_days": Field("count", "健康填报数据保留天数", "Days check-in answers are kept"),
    "form_names_above_school": Field("bool", "学校以上可见姓名", "Names shown above the school"),
    # imports (the summary of what an applied import did)
    "rows": Field("count", "行数", "Rows"),
    "units_created": Field("count", "新建组织", "Units created"),
    "people_created": Field("count", "新建人员", "People created"),
    "people_updated": Field("count", "更新人员", "People updated"),
    "people_unchanged": Field("count", "未变人员", "People unchanged"),
    "memberships_added": Field("count", "新增成员身份", "Memberships added"),
    "memberships_removed": Field("count", "移除成员身份", "Memberships removed"),
    "guardian_links_added": Field("count", "新增家长关联", "Guardian links added"),
    "guardian_links_updated": Field("count", "更新家长关联", "Guardian links updated"),
    # jobs
    "state": Field("job_state", "状态", "State"),
    "attempts": Field("count", "已尝试次数", "Attempts"),
    "last_error": Field("text", "最后的错误", "Last error"),
    # forms
    "version": Field("count", "版本", "Version"),
    "period": Field("text", "日期", "Day"),
    "format": Field("text", "格式", "Format"),
    "people": Field("count", "人数", "People"),
    "subject_id": Field("person", "填写对象", "About"),
    "template": Field("text", "表单模板", "Template"),
    "by": Field("text", "提醒方式", "Reminded by"),
    # reports
    "deadline": Field("text", "截止时间", "Deadline"),
    "required": Field("bool", "必须提交", "Required"),
    "remind_before": Field("count", "提前提醒（分钟）", "Reminder (minutes before)"),
    "remind_by": Field("text", "提醒方式", "Reminded by"),
    # approvals
    "builtin": Field("text", "内置模板", "Built-in template"),
    "flow_version": Field("count", "流程版本", "Flow version"),
    "box": Field("text", "列表", "List"),
    # attendance
    "shift": Field("text", "班次", "Shift"),
    "places": Field("count", "考勤地点", "Allowed places"),
    "networks": Field("count", "考勤网络", "Allowed networks"),
    "field_work": Field("bool", "允许外勤", "Field work allowed"),
    "reason": Field("text", "原因", "Reason"),
}

# A field whose words depend on what it describes ("name" of a person is 姓名).
FIELD_OVERRIDES: dict[tuple[str, str], Field] = {
    ("person", "name"): Field("text", "姓名", "Name"),
}

TARGET_TYPES: dict[str, tuple[str, str]] = {
    "person": ("人员", "Person"),
    "unit": ("组织", "Unit"),
    "token": ("API 令牌", "API token"),
    "job": ("后台任务", "Background job"),
    "form_template": ("表单模板", "Form template"),
    "form_campaign": ("表单收集", "Form"),
    "report_template": ("汇报模板", "Report template"),
    "approval_template": ("审批模板", "Approval template"),
}

ROLES: dict[str, tuple[str, str]] = {
    "head": ("负责人", "Head"),
    "staff": ("职员", "Staff"),
    "teacher": ("教师", "Teacher"),
    "student": ("学生", "Student"),
    "guardian": ("家长", "Guardian"),
    "member": ("成员", "Member"),
}

UNIT_KINDS: dict[str, tuple[str, str]] = {
    "bureau": ("教育局", "Bureau"),
    "school": ("学校", "School"),
    "grade": ("年级", "Grade"),
    "class": ("班级", "Class"),
    "company": ("公司", "Company"),
    "department": ("部门", "Department"),
    "team": ("小组", "Team"),
}

JOB_STATES: dict[str, tuple[str, str]] = {
    "queued": ("排队中", "Queued"),
    "running": ("运行中", "Running"),
    "done": ("已完成", "Done"),
    "dead": ("已失败", "Dead"),
}


def words(table: Mapping[str, tuple[str, str]], value: str, locale: str) -> str | None:
    pair = table.get(value)
    if pair is None:
        return None
    return pair[1] if locale == "en" else pair[0]


def humanise(name: str) -> str:
    """An unknown (future) action or field, readably: `last_login_at` → `last login at`."""
    return name.replace("_", " ").replace(".", " · ")


def action_label(action: str, locale: str) -> str:
    known = ACTIONS.get(action)
    if known is not None:
        return known.label(locale)
    kind, _, verb = action.partition(".")
    thing = words(TARGET_TYPES, kind, locale)
    return f"{thing} · {humanise(verb)}" if thing and verb else humanise(action)


def field_of(target_type: str, name: str) -> Field | None:
    return FIELD_OVERRIDES.get((target_type, name)) or FIELDS.get(name)


def check(action: str, target_type: str, values: Iterable[Mapping[str, Any] | None]) -> None:
    """Refuse (ValueError) an action or field the log could not show in words."""
    known = ACTIONS.get(action)
    if known is None:
        raise ValueError(f"audit action {action!r} is not in bellwork.audit.actions.ACTIONS")
    if known.target_type != target_type:
        raise ValueError(f"audit action {action!r} targets {known.target_type}, not {target_type}")
    for value in values:
        for name in value or ():
            if field_of(target_type, name) is None:
                raise ValueError(f"audit field {name!r} is not in bellwork.audit.actions.FIELDS")
