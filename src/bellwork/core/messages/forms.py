"""Smart forms: a form's design and the problems of one answer (forms/).
Server-side messages in zh-CN and English, looked up by core/i18n.py."""

MESSAGES: dict[str, dict[str, str]] = {
    # forms (issue 12): a form's design (`v.<code>`: forms/fields.py, forms/rules.py) and the
    # problems of one answer (`{label}` is the question's)
    "v.form_key_repeated": {
        "en": "Two questions have the same key.",
        "zh-CN": "有两个题目的标识相同。",
    },
    "v.form_condition_unknown": {
        "en": "A question is shown on an answer of a choice question that is not before it.",
        "zh-CN": "显示条件引用的选择题不存在、不在其前面或没有该选项。",
    },
    "v.form_exclusive_unknown": {
        "en": "The exclusive option is not one of the question's options.",
        "zh-CN": "互斥选项不在该题的选项中。",
    },
    "v.form_option_repeated": {
        "en": "Two options of a question have the same value.",
        "zh-CN": "同一题中有两个选项的值相同。",
    },
    "v.form_range_inverted": {
        "en": "The minimum is above the maximum.",
        "zh-CN": "最小值大于最大值。",
    },
    "v.form_rule_field_unknown": {
        "en": "A rule names a question the form does not have.",
        "zh-CN": "异常规则引用了不存在的题目。",
    },
    "v.form_rule_mismatch": {
        "en": "A rule does not fit its question: compare numbers with a number, temperature or"
        " rating, and options with a choice question's own options.",
        "zh-CN": "异常规则与题目不匹配：数值比较只能用于数字、体温或评分题，"
        "选项只能是该选择题的选项。",
    },
    "v.form_name_empty": {"en": "Give it a name.", "zh-CN": "请填写名称。"},
    "form_not_allowed": {
        "en": "Only the unit's heads and teachers design and run its forms.",
        "zh-CN": "只有该组织的负责人和教师可以设计和发起表单。",
    },
    "form_template_source": {
        "en": "Start from a built-in template, from a template above this unit, or from your own"
        " questions — one of them.",
        "zh-CN": "请选择一种方式：内置模板、上级组织的模板或自己设计的题目。",
    },
    "form_builtin_unknown": {
        "en": "There is no such built-in template.",
        "zh-CN": "没有这个内置模板。",
    },
    "form_base_not_above": {
        "en": "Only a template of this unit or a unit above it can be extended here.",
        "zh-CN": "只能在本组织或上级组织的模板上增加题目。",
    },
    "form_base_changed": {
        "en": "The questions and rules that come from the template above must stay as they are"
        " (add your own questions around them), so that its figures still add up.",
        "zh-CN": "来自上级模板的题目和异常规则不能修改（可以在其前后增加本校的题目），"
        "以保证上级的统计口径一致。",
    },
    "v.form_deadline_before_open": {
        "en": "The deadline must be after the opening time.",
        "zh-CN": "截止时间必须晚于开始时间。",
    },
    "v.form_end_before_start": {
        "en": "The last day is before the first.",
        "zh-CN": "结束日期早于开始日期。",
    },
    "v.form_schedule_too_long": {
        "en": "A campaign runs at most a year; start a new one after it.",
        "zh-CN": "一次收集最长一年，到期后请重新发起。",
    },
    "form_audience_outside": {
        "en": "A campaign asks the units below the one that runs it; this unit is not.",
        "zh-CN": "只能向发起组织及其下级组织收集；所选组织不在其中。",
    },
    "form_audience_empty": {
        "en": "Nobody is in the units and roles chosen.",
        "zh-CN": "所选组织和身份中没有人员。",
    },
    "form_people_unreachable": {
        "en": "{count} of the people chosen are not ones you may ask.",
        "zh-CN": "所选人员中有 {count} 人不在你的范围内。",
    },
    "form_too_many": {
        "en": "A campaign asks at most {limit} people; split it by school.",
        "zh-CN": "一次收集最多 {limit} 人，请按学校分别发起。",
    },
    "form_start_past": {
        "en": "The first day has passed; start today or later.",
        "zh-CN": "开始日期已过，请从今天或以后开始。",
    },
    "form_no_period": {
        "en": "This schedule asks on no day from now on (check the weekdays and the last day).",
        "zh-CN": "按此安排今后没有需要填写的日期（请检查每周哪几天和结束日期）。",
    },
    "form_campaign_closed": {"en": "This collection has ended.", "zh-CN": "本次收集已结束。"},
    "form_not_guardian": {
        "en": "You can fill this only for yourself or for a student you are a guardian of.",
        "zh-CN": "只能为自己或自己是其家长的学生填写。",
    },
    "form_not_today": {"en": "This form is not asked today.", "zh-CN": "今天不需要填写此表单。"},
    "form_not_open_yet": {
        "en": "Not open yet: it opens at {at}.",
        "zh-CN": "尚未开始，{at} 开始填写。",
    },
    "form_period_closed": {
        "en": "Closed for today: the deadline has passed.",
        "zh-CN": "今天的填写已截止。",
    },
    "form_edit_closed": {
        "en": "Past the deadline, a submission can no longer be changed.",
        "zh-CN": "已过截止时间，不能再修改。",
    },
    "form_version_unknown": {
        "en": "This form has changed; open it again.",
        "zh-CN": "表单已更新，请重新打开后填写。",
    },
    "form_answers_invalid": {
        "en": "{count} answers need another look.",
        "zh-CN": "有 {count} 项需要修改。",
    },
    "form_trend_range": {
        "en": "Choose at most {days} days, the last after the first.",
        "zh-CN": "最多选择 {days} 天，且结束日期不早于开始日期。",
    },
    "form_names_hidden": {
        "en": "Names are not shown at this level: your organisation shows them to schools and"
        " classes only.",
        "zh-CN": "按本单位的隐私设置，此层级只显示统计数字，不显示姓名。",
    },
    "form_people_too_many": {
        "en": "More than {limit} people here; choose a school or class.",
        "zh-CN": "超过 {limit} 人，请选择具体学校或班级查看名单。",
    },
    "form_export_not_ready": {
        "en": "The export is not ready yet.",
        "zh-CN": "导出文件尚未生成。",
    },
    "form_abnormal_ding": {
        "en": "Abnormal check-in: {name} ({unit}), {form}: {reasons}. Please follow up.",
        "zh-CN": "异常：{unit} {name}，{form}：{reasons}。请及时跟进。",
    },
    "form_remind_ding": {
        "en": "Reminder: {form} is still to be filled in today, due at {deadline}.",
        "zh-CN": "提醒：今天的「{form}」还未填写，请在 {deadline} 前完成。",
    },
    "form_remind_too_soon": {
        "en": "They were reminded less than 5 minutes ago. Remind again in {minutes} min "
        "{seconds} s.",
        "zh-CN": "距上次提醒不足 5 分钟，请 {minutes} 分 {seconds} 秒后再提醒。",
    },
    "form_nobody_missing": {
        "en": "Everyone here has filled it in.",
        "zh-CN": "这里的人都已填写，无需提醒。",
    },
    "form_remind_too_many": {
        "en": "A DING reaches at most {limit} people; remind a school or a class, or in the app.",
        "zh-CN": "一条 DING 最多发给 {limit} 人，请按学校或班级提醒，或改用应用内提醒。",
    },
    "form_case_state": {
        "en": "A case is open, contacted or resolved.",
        "zh-CN": "状态只能是：待处理、已联系、已解决。",
    },
    "form_case_note_empty": {
        "en": "Write a note or change the state.",
        "zh-CN": "请填写跟进记录或更改状态。",
    },
    "form_responders_outside": {
        "en": "Only people this unit's heads may see can be told.",
        "zh-CN": "只能选择本组织负责人可见范围内的人员。",
    },
    "form_no_schools_below": {
        "en": "There is no school below this unit that the audience reaches to hand it down to.",
        "zh-CN": "本组织下没有可下发的学校（或所选人员不在任何学校中）。",
    },
    "form_too_many_schools": {
        "en": "At most {limit} schools at once; hand it down from a unit lower in the tree.",
        "zh-CN": "一次最多下发到 {limit} 所学校，请从下一级组织下发。",
    },
    "form_not_handed_down": {
        "en": "Only a school's copy of a form handed down from above can change its template.",
        "zh-CN": "只有上级下发给本校的表单才能更换为本校扩展的模板。",
    },
    "form_template_not_derived": {
        "en": "Choose the template it was handed down with, or one made from it here with"
        " 'Add our own questions', so that the figures above still add up.",
        "zh-CN": "只能选择上级下发的模板，或本校在其上“增加本组织题目”所得的模板，"
        "以保证上级的统计口径一致。",
    },
    "form_template_changed": {
        "en": "The form was changed while you were filling it. Open it again, please.",
        "zh-CN": "填写期间表单已更换，请重新打开后填写。",
    },
    "form_yes": {"en": "Yes", "zh-CN": "是"},
    "form_no": {"en": "No", "zh-CN": "否"},
    "form_col_day": {"en": "Day", "zh-CN": "日期"},
    "form_col_unit": {"en": "Class", "zh-CN": "班级"},
    "form_col_name": {"en": "Name", "zh-CN": "姓名"},
    "form_col_student_number": {"en": "Student number", "zh-CN": "学号"},
    "form_col_filler": {"en": "Filled by", "zh-CN": "填写人"},
    "form_col_submitted_at": {"en": "Submitted", "zh-CN": "提交时间"},
    "form_col_late": {"en": "Late", "zh-CN": "迟交"},
    "form_col_abnormal": {"en": "Abnormal", "zh-CN": "异常"},
    "form_col_reasons": {"en": "Why abnormal", "zh-CN": "异常原因"},
    "form_required": {"en": "{label}: required.", "zh-CN": "{label}：必填。"},
    "form_answer_type": {
        "en": "{label}: this answer is not of the right kind.",
        "zh-CN": "{label}：答案格式不正确。",
    },
    "form_text_too_long": {
        "en": "{label}: at most {max} characters.",
        "zh-CN": "{label}：最多 {max} 个字符。",
    },
    "form_number_invalid": {"en": "{label}: enter a number.", "zh-CN": "{label}：请输入数字。"},
    "form_number_decimals": {
        "en": "{label}: at most {decimals} decimal places.",
        "zh-CN": "{label}：最多 {decimals} 位小数。",
    },
    "form_number_min": {
        "en": "{label}: at least {min}{unit}.",
        "zh-CN": "{label}：不能小于 {min}{unit}。",
    },
    "form_number_max": {
        "en": "{label}: at most {max}{unit}.",
        "zh-CN": "{label}：不能大于 {max}{unit}。",
    },
    "form_temperature_range": {
        "en": "{label}: a body temperature is between {min} and {max} °C; check what was typed.",
        "zh-CN": "{label}：体温应在 {min}–{max} °C 之间，请检查输入。",
    },
    "form_choice_unknown": {
        "en": "{label}: pick one of the options.",
        "zh-CN": "{label}：请从选项中选择。",
    },
    "form_choice_exclusive": {
        "en": "{label}: “{option}” cannot be picked with other options.",
        "zh-CN": "{label}：“{option}”不能与其他选项同时选择。",
    },
    "form_date_invalid": {
        "en": "{label}: enter a date (YYYY-MM-DD).",
        "zh-CN": "{label}：请输入日期（年-月-日）。",
    },
    "form_time_invalid": {
        "en": "{label}: enter a time (HH:MM).",
        "zh-CN": "{label}：请输入时间（时:分）。",
    },
    "form_phone_invalid": {
        "en": "{label}: not a valid mobile number.",
        "zh-CN": "{label}：不是有效的手机号。",
    },
    "form_id_number_invalid": {
        "en": "{label}: not a valid ID number (check every digit; the last may be X).",
        "zh-CN": "{label}：身份证号无效（请逐位核对，最后一位可能是 X）。",
    },
    "form_location_invalid": {
        "en": "{label}: the location could not be read; try again.",
        "zh-CN": "{label}：无法读取位置，请重试。",
    },
    "form_file_unknown": {
        "en": "{label}: a photo or file is not one uploaded for this form. Upload it again.",
        "zh-CN": "{label}：有照片或文件不是为此表单上传的，请重新上传。",
    },
    "form_file_field_unknown": {
        "en": "This form has no such photo or file question.",
        "zh-CN": "此表单没有这个照片或文件题目。",
    },
    "form_file_not_image": {
        "en": "This question takes photos only.",
        "zh-CN": "此题只能上传照片。",
    },
    "form_file_uploads_waiting": {
        "en": "Too many uploads are waiting for a submission (at most {max}). Submit first.",
        "zh-CN": "待提交的上传文件过多（最多 {max} 个），请先提交表单。",
    },
    "form_files_too_many": {
        "en": "{label}: too many files (at most {max}).",
        "zh-CN": "{label}：最多 {max} 个文件。",
    },
    "form_rating_range": {
        "en": "{label}: pick 1 to {max}.",
        "zh-CN": "{label}：请选择 1 到 {max}。",
    },
}
