"""Work reports, approvals and attendance (reports/, approvals/, attendance/).
Server-side messages in zh-CN and English, looked up by core/i18n.py."""

MESSAGES: dict[str, dict[str, str]] = {
    # reports (issue 14)
    "v.report_comment_empty": {"en": "Write a comment.", "zh-CN": "请输入评论内容。"},
    "report_period_future": {
        "en": "A report can be written for this period or an earlier one, not a later one.",
        "zh-CN": "只能填写本期或之前的汇报，不能提前填写。",
    },
    "report_version_unknown": {
        "en": "This version of the template does not exist; open the report again.",
        "zh-CN": "模板版本不存在，请重新打开汇报。",
    },
    "report_no_recipients": {
        "en": "Nobody to send it to: your unit has no head. Choose whom to send it to.",
        "zh-CN": "没有可提交的对象：所在组织没有负责人，请选择汇报对象。",
    },
    "report_person_unknown": {
        "en": "One of the people chosen cannot receive it.",
        "zh-CN": "所选人员中有人无法接收该汇报。",
    },
    "report_exists": {
        "en": "You have already written this report for this period.",
        "zh-CN": "本期的汇报已经提交过了。",
    },
    "report_not_manager": {
        "en": "Only the unit's heads see its reports.",
        "zh-CN": "只有该组织的负责人可以查看团队汇报。",
    },
    "report_unit_outside": {
        "en": "This unit is not one the template is written in.",
        "zh-CN": "该组织不在此汇报模板的适用范围内。",
    },
    "report_reminder_ding": {
        "en": "Reminder: your \u201c{name}\u201d is due at {deadline}.",
        "zh-CN": "提醒：您的「{name}」还未提交，请在 {deadline} 前完成。",
    },
    "report_col_name": {"en": "Name", "zh-CN": "姓名"},
    "report_col_status": {"en": "Status", "zh-CN": "状态"},
    "report_col_time": {"en": "Submitted at", "zh-CN": "提交时间"},
    "report_col_total": {"en": "Total", "zh-CN": "合计"},
    "report_on_time": {"en": "On time", "zh-CN": "按时提交"},
    "report_late": {"en": "Late", "zh-CN": "迟交"},
    "report_missing": {"en": "Not submitted", "zh-CN": "未提交"},
    # approvals/ (docs/approvals.md)
    "approval_rule_role": {
        "en": "A role rule needs the role and the unit.",
        "zh-CN": "按角色选择审批人时须指定角色和组织。",
    },
    "approval_rule_people": {
        "en": "Choose at least one approver.",
        "zh-CN": "请至少选择一位审批人。",
    },
    "approval_flow_missing": {
        "en": "A template needs its flow: who approves, in which steps.",
        "zh-CN": "审批模板须设置审批流程。",
    },
    "approval_condition_field": {
        "en": "A condition names a question the form does not have.",
        "zh-CN": "条件引用了表单中不存在的字段。",
    },
    "approval_version_unknown": {
        "en": "This version of the form does not exist; open the form again.",
        "zh-CN": "表单版本不存在，请重新打开。",
    },
    "approval_subject_unknown": {
        "en": "Choose one of your children in this school.",
        "zh-CN": "请选择您在本校的孩子。",
    },
    "approval_leave_dates": {
        "en": "The last day cannot come before the first.",
        "zh-CN": "结束日期不能早于开始日期。",
    },
    "approval_leave_balance": {
        "en": "Not enough leave left: {remaining} days.",
        "zh-CN": "假期余额不足：剩余 {remaining} 天。",
    },
    "approval_closed": {
        "en": "This request is no longer waiting for a decision.",
        "zh-CN": "该审批已结束，无需再处理。",
    },
    "approval_step_decided": {
        "en": "Another approver already decided this step.",
        "zh-CN": "该环节已由其他审批人处理。",
    },
    "approval_not_your_turn": {
        "en": "This request is not waiting for you.",
        "zh-CN": "当前不需要您审批。",
    },
    "approval_not_submitter": {
        "en": "Only the person who submitted it may withdraw it.",
        "zh-CN": "只有提交人可以撤回。",
    },
    "approval_not_returned": {
        "en": "Only a request returned for changes can be submitted again.",
        "zh-CN": "只有被退回的审批可以重新提交。",
    },
    "approval_person_unknown": {
        "en": "This person cannot be chosen.",
        "zh-CN": "无法选择该人员。",
    },
    "approval_already_approver": {
        "en": "This person already approves this step (or submitted the request).",
        "zh-CN": "该人员已是本环节审批人（或是提交人）。",
    },
    "approval_comment_empty": {
        "en": "Write a comment or attach a file.",
        "zh-CN": "请输入评论或添加附件。",
    },
    "approval_file_unknown": {
        "en": "One of the files was not uploaded to this request by you.",
        "zh-CN": "附件无效，请重新上传。",
    },
    "approval_overdue_ding": {
        "en": "Waiting for your approval: \u201c{title}\u201d.",
        "zh-CN": "您有待审批事项超时未处理：「{title}」。",
    },
    "approval_col_id": {"en": "No.", "zh-CN": "编号"},
    "approval_col_title": {"en": "Request", "zh-CN": "审批事项"},
    "approval_col_template": {"en": "Template", "zh-CN": "审批类型"},
    "approval_col_submitter": {"en": "Submitted by", "zh-CN": "提交人"},
    "approval_col_status": {"en": "Status", "zh-CN": "状态"},
    "approval_col_step": {"en": "Current step", "zh-CN": "当前环节"},
    "approval_col_created": {"en": "Submitted at", "zh-CN": "提交时间"},
    "approval_status_pending": {"en": "Pending", "zh-CN": "审批中"},
    "approval_status_approved": {"en": "Approved", "zh-CN": "已通过"},
    "approval_status_rejected": {"en": "Rejected", "zh-CN": "已拒绝"},
    "approval_status_returned": {"en": "Returned", "zh-CN": "已退回"},
    "approval_status_withdrawn": {"en": "Withdrawn", "zh-CN": "已撤回"},
    # attendance (issue 14; docs/attendance.md)
    "attendance_no_rule": {
        "en": "No attendance rule applies to you; ask your unit's head to set one.",
        "zh-CN": "您所在的组织还没有考勤规则，请联系负责人设置。",
    },
    "attendance_no_location": {
        "en": "Share your location, or connect to the workplace network, to check in.",
        "zh-CN": "请允许获取位置，或连接单位网络后再打卡。",
    },
    "attendance_no_places": {
        "en": "Your attendance rule has no allowed place; check in from the workplace network.",
        "zh-CN": "考勤规则未设置打卡地点，请连接单位网络后打卡。",
    },
    "attendance_out_of_range": {
        "en": "You are {distance} m from {place}; check in within {radius} m.",
        "zh-CN": "您距离{place} {distance} 米，需在 {radius} 米范围内打卡。",
    },
    "attendance_field_note": {
        "en": "You are {distance} m from {place}: add a note to check in as field work.",
        "zh-CN": "您距离{place} {distance} 米，请填写备注后按外勤打卡。",
    },
    "attendance_not_manager": {
        "en": "Only the unit's heads manage its attendance.",
        "zh-CN": "只有该组织的负责人可以管理考勤。",
    },
    "attendance_not_guard": {
        "en": "Only a school's or company's staff may scan health passes.",
        "zh-CN": "只有学校或单位的工作人员可以扫描健康码。",
    },
    "attendance_gate_outside": {
        "en": "This person is not at your school or company.",
        "zh-CN": "此人不属于您的学校或单位。",
    },
    "attendance_month_invalid": {"en": "Choose a month.", "zh-CN": "请选择月份。"},
    "v.attendance_network_invalid": {
        "en": "Write an address range such as 10.1.0.0/16.",
        "zh-CN": "请填写网段，例如 10.1.0.0/16。",
    },
    "v.attendance_end_before_start": {
        "en": "The shift must end after it starts.",
        "zh-CN": "下班时间须晚于上班时间。",
    },
    "pass_malformed": {
        "en": "This is not a Bellwork health pass.",
        "zh-CN": "这不是有效的健康码。",
    },
    "pass_forged": {
        "en": "This health pass is forged: its signature does not match.",
        "zh-CN": "健康码签名不符，可能是伪造的。",
    },
    "pass_expired": {
        "en": "This health pass expired {seconds} s ago (a screenshot?); show the live pass.",
        "zh-CN": "健康码已过期 {seconds} 秒（可能是截图），请出示实时健康码。",
    },
    "attendance_total": {"en": "Total", "zh-CN": "合计"},
    "attendance_sheet_summary": {"en": "Summary", "zh-CN": "月度汇总"},
    "attendance_sheet_exceptions": {"en": "Exceptions", "zh-CN": "异常明细"},
    "attendance_col_name": {"en": "Name", "zh-CN": "姓名"},
    "attendance_col_day": {"en": "Day", "zh-CN": "日期"},
    "attendance_col_status": {"en": "Status", "zh-CN": "状态"},
    "attendance_col_first": {"en": "Arrived", "zh-CN": "上班打卡"},
    "attendance_col_last": {"en": "Left", "zh-CN": "下班打卡"},
    "attendance_col_expected": {"en": "Working days", "zh-CN": "应出勤天数"},
    "attendance_col_present": {"en": "Present", "zh-CN": "出勤天数"},
    "attendance_col_late": {"en": "Late", "zh-CN": "迟到"},
    "attendance_col_early": {"en": "Left early", "zh-CN": "早退"},
    "attendance_col_no_out": {"en": "No check-out", "zh-CN": "下班缺卡"},
    "attendance_col_absent": {"en": "Absent", "zh-CN": "旷工"},
    "attendance_col_leave": {"en": "On leave", "zh-CN": "请假"},
    "attendance_col_field": {"en": "Field work", "zh-CN": "外勤"},
    "attendance_col_late_minutes": {"en": "Minutes late", "zh-CN": "迟到分钟"},
    "attendance_col_early_minutes": {"en": "Minutes early", "zh-CN": "早退分钟"},
    "attendance_status_late": {"en": "Late", "zh-CN": "迟到"},
    "attendance_status_early": {"en": "Left early", "zh-CN": "早退"},
    "attendance_status_late_early": {"en": "Late and left early", "zh-CN": "迟到且早退"},
    "attendance_status_no_out": {"en": "No check-out", "zh-CN": "下班缺卡"},
    "attendance_status_absent": {"en": "Absent", "zh-CN": "旷工"},
}
