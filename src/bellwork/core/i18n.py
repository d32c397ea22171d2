"""Server-side messages in zh-CN and English; the request's Accept-Language picks one."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

SUPPORTED = ("zh-CN", "en")
DEFAULT = "zh-CN"
current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT)

MESSAGES: dict[str, dict[str, str]] = {
    # auth
    "invalid_credentials": {
        "en": "Wrong login or password.",
        "zh-CN": "账号或密码错误。",
    },
    "login_throttled": {
        "en": "Too many failed logins. Try again in {minutes} minutes.",
        "zh-CN": "登录失败次数过多，请 {minutes} 分钟后再试。",
    },
    "account_deactivated": {
        "en": "This account has been deactivated. Ask your administrator.",
        "zh-CN": "该账号已停用，请联系管理员。",
    },
    "not_authenticated": {"en": "Please log in.", "zh-CN": "请先登录。"},
    "csrf_failed": {
        "en": "The request is missing its CSRF token; reload the page and try again.",
        "zh-CN": "请求缺少 CSRF 令牌，请刷新页面后重试。",
    },
    "password_change_required": {
        "en": "You must change your password before continuing.",
        "zh-CN": "请先修改密码再继续。",
    },
    "wrong_password": {"en": "The current password is wrong.", "zh-CN": "当前密码不正确。"},
    "weak_password": {
        "en": "The password must have at least 8 characters.",
        "zh-CN": "密码至少需要 8 个字符。",
    },
    "same_password": {
        "en": "The new password must differ from the current one.",
        "zh-CN": "新密码不能与当前密码相同。",
    },
    # access
    "not_found": {"en": "{thing} not found.", "zh-CN": "找不到该{thing}。"},
    "admin_only": {
        "en": "Only installation administrators may do this.",
        "zh-CN": "只有系统管理员可以执行此操作。",
    },
    "not_head_of_unit": {
        "en": "You are not a head of this unit or of a unit above it.",
        "zh-CN": "您不是该组织或其上级组织的负责人。",
    },
    "cannot_manage_person": {
        "en": "This person is not in a unit you manage.",
        "zh-CN": "此人不在您管理的组织中。",
    },
    "cannot_deactivate_self": {
        "en": "You cannot deactivate your own account.",
        "zh-CN": "不能停用自己的账号。",
    },
    # org
    "move_into_own_subtree": {
        "en": "A unit cannot be moved into itself or one of its own sub-units.",
        "zh-CN": "不能把组织移动到它自己或它的下级组织中。",
    },
    "unit_archived": {
        "en": "The unit is archived; restore it first.",
        "zh-CN": "该组织已归档，请先恢复。",
    },
    "parent_archived": {
        "en": "The target parent unit is archived.",
        "zh-CN": "目标上级组织已归档。",
    },
    "root_needs_admin": {
        "en": "Only administrators may create or move top-level units.",
        "zh-CN": "只有系统管理员可以创建或移动顶级组织。",
    },
    "duplicate_value": {
        "en": "{field} is already used by another person.",
        "zh-CN": "{field}已被其他人使用。",
    },
    "guardian_needs_student": {
        "en": "A guardian membership needs a student in that unit; link the guardian to a student.",
        "zh-CN": "家长身份需要关联该组织中的学生。",
    },
    "membership_exists": {
        "en": "This person already has that role in that unit.",
        "zh-CN": "此人已在该组织中担任该角色。",
    },
    "not_a_student": {
        "en": "The person is not a student.",
        "zh-CN": "该人员不是学生。",
    },
    "self_guardian": {
        "en": "A person cannot be their own guardian.",
        "zh-CN": "不能成为自己的家长。",
    },
    "validation_failed": {"en": "Some fields are invalid.", "zh-CN": "部分字段无效。"},
    # One field's problem, by pydantic's error type (`v.<type>`); others keep pydantic's words.
    "v.missing": {"en": "This field is required.", "zh-CN": "此项必填。"},
    "v.invalid": {"en": "This value is not valid.", "zh-CN": "此项的值无效。"},
    "v.username_invalid": {
        "en": "3-64 letters, digits, '.', '_' or '-'.",
        "zh-CN": "用户名须为 3–64 个字母、数字或 . _ -。",
    },
    "v.string_too_short": {
        "en": "Must have at least {min_length} characters.",
        "zh-CN": "至少需要 {min_length} 个字符。",
    },
    "v.string_too_long": {
        "en": "Must have at most {max_length} characters.",
        "zh-CN": "最多 {max_length} 个字符。",
    },
    "v.too_short": {
        "en": "Must have at least {min_length} items.",
        "zh-CN": "至少需要 {min_length} 项。",
    },
    "v.too_long": {
        "en": "Must have at most {max_length} items.",
        "zh-CN": "最多 {max_length} 项。",
    },
    "v.greater_than_equal": {"en": "Must be at least {ge}.", "zh-CN": "不能小于 {ge}。"},
    "v.less_than_equal": {"en": "Must be at most {le}.", "zh-CN": "不能大于 {le}。"},
    "v.int_parsing": {"en": "Must be a whole number.", "zh-CN": "必须是整数。"},
    "v.int_type": {"en": "Must be a whole number.", "zh-CN": "必须是整数。"},
    "v.string_type": {"en": "Must be text.", "zh-CN": "必须是文本。"},
    "v.bool_parsing": {"en": "Must be true or false.", "zh-CN": "必须是 true 或 false。"},
    "v.bool_type": {"en": "Must be true or false.", "zh-CN": "必须是 true 或 false。"},
    "v.literal_error": {"en": "Must be one of {expected}.", "zh-CN": "只能是 {expected} 之一。"},
    "v.enum": {"en": "Must be one of {expected}.", "zh-CN": "只能是 {expected} 之一。"},
    "v.json_invalid": {"en": "The request is not valid JSON.", "zh-CN": "请求不是有效的 JSON。"},
    "v.int_from_float": {"en": "Must be a whole number.", "zh-CN": "必须是整数。"},
    "v.finite_number": {"en": "Must be a finite number.", "zh-CN": "必须是有限的数。"},
    "v.string_unicode": {
        "en": "The text is not valid Unicode.",
        "zh-CN": "文本不是有效的 Unicode。",
    },
    "v.list_type": {"en": "Must be a list.", "zh-CN": "必须是列表。"},
    "v.model_attributes_type": {"en": "Must be an object.", "zh-CN": "必须是对象。"},
    "v.dict_type": {"en": "Must be an object.", "zh-CN": "必须是对象。"},
    "v.must not be empty": {"en": "Must not be empty.", "zh-CN": "不能为空。"},
    "body_too_large": {
        "en": "The request is too large (at most {limit} KiB of JSON).",
        "zh-CN": "请求过大（JSON 最多 {limit} KiB）。",
    },
    "v.nul_character": {
        "en": "Text must not contain NUL characters (U+0000).",
        "zh-CN": "文本中不能包含空字符（U+0000）。",
    },
    "bad_cursor": {"en": "The page cursor is invalid.", "zh-CN": "分页游标无效。"},
    "internal_error": {
        "en": "Something went wrong on the server.",
        "zh-CN": "服务器出错了。",
    },
    "rate_limited": {"en": "Too many requests.", "zh-CN": "请求过多。"},
    # import
    "import_invalid": {
        "en": "Rows with problems: {count}; nothing was imported.",
        "zh-CN": "文件中有 {count} 行无效，未导入任何数据。",
    },
    "import_unreadable": {
        "en": "The file could not be read as {format}: {reason}",
        "zh-CN": "无法按 {format} 读取文件：{reason}",
    },
    "import_too_large": {
        "en": "The file is larger than {limit} MB.",
        "zh-CN": "文件超过 {limit} MB。",
    },
    "import_unknown_format": {
        "en": "Upload a .csv or .xlsx file.",
        "zh-CN": "请上传 .csv 或 .xlsx 文件。",
    },
    "import_missing_columns": {
        "en": "Missing columns: {columns}.{unrecognised}",
        "zh-CN": "缺少列：{columns}。{unrecognised}",
    },
    "import_empty": {"en": "The file has no data rows.", "zh-CN": "文件中没有数据行。"},
    "row_required": {"en": "is required", "zh-CN": "不能为空"},
    "row_bad_phone": {
        "en": "is not a valid phone number (a mainland mobile has 11 digits; write others with "
        "+ and the country code)",
        "zh-CN": "不是有效的手机号（大陆手机号为 11 位；其他地区请以 + 和国家代码开头）",
    },
    "row_bad_email": {"en": "is not a valid email address", "zh-CN": "不是有效的邮箱地址"},
    "row_bad_path": {
        "en": "must be unit names separated by '/', e.g. {example}",
        "zh-CN": "应为以 “/” 分隔的组织名称，例如 {example}",
    },
    "row_too_long": {"en": "is longer than {max} characters", "zh-CN": "超过 {max} 个字符"},
    "row_duplicate": {
        "en": "repeats row {other} ({value})",
        "zh-CN": "与第 {other} 行重复（{value}）",
    },
    "row_conflict": {
        "en": "{value} belongs to {name} in the directory, not to this person",
        "zh-CN": "{value} 在通讯录中属于 {name}，不是此人",
    },
    "row_guardian_conflict": {
        "en": "phone {value} is named {other} in row {row}",
        "zh-CN": "手机号 {value} 在第 {row} 行的姓名是 {other}",
    },
    "row_number_conflict": {
        "en": "student number {value} is a different student ({name}) in row {row}",
        "zh-CN": "学号 {value} 在第 {row} 行是另一位学生（{name}）",
    },
    # import hardening (issue 8): the rules every row is checked against, the dry run's notes,
    # and the person fields of the people API (`v.<code>`: raised by org/schemas.py, core/text.py)
    "row_text_control": {"en": "contains control characters", "zh-CN": "包含控制字符"},
    "row_text_bidi": {
        "en": "contains text-direction override characters (U+202A–U+202E, U+2066–U+2069)",
        "zh-CN": "包含改变文字方向的控制字符（U+202A–U+202E、U+2066–U+2069）",
    },
    "row_text_markup": {
        "en": "must not contain < or > (markup)",
        "zh-CN": "不能包含 < 或 >（网页标记）",
    },
    "row_bad_relation": {
        "en": "must be one of: {allowed}",
        "zh-CN": "应为以下之一：{allowed}",
    },
    "row_bad_student_number": {
        "en": "may hold only letters, digits and - _ . (not first), at most 32",
        "zh-CN": "只能包含字母、数字和 - _ .（不能以符号开头），最多 32 个字符",
    },
    "row_unit_missing": {
        "en": "“{name}” does not exist in {parent}; an import into a bureau creates schools "
        "only when asked to (create schools)",
        "zh-CN": "{parent}下没有“{name}”；导入到教育局时，只有选择“新建学校”才会创建学校",
    },
    "row_match_admin": {
        "en": "{value} belongs to an installation administrator; imports never change "
        "administrators",
        "zh-CN": "{value} 属于系统管理员账号，导入不会修改管理员",
    },
    "row_match_outside": {
        "en": "{value} belongs to a person outside the units you manage; an import cannot "
        "change them",
        "zh-CN": "{value} 属于您管理范围之外的人员，导入不能修改此人",
    },
    "row_rename_staff": {
        "en": "{value} belongs to the staff member {name}; an import does not rename staff "
        "(correct the name in the file, or on their card)",
        "zh-CN": "{value} 属于教职工{name}，导入不会修改教职工的姓名（请更正文件中的姓名，"
        "或在其名片中修改）",
    },
    "import_only_example": {
        "en": "The file holds only the template's example row, which is never imported; "
        "add your rows below it (or in its place).",
        "zh-CN": "文件中只有模板的示例行，示例行不会被导入；请在其下方（或替换它）填写数据。",
    },
    "import_reason_encoding": {
        "en": "the text is neither UTF-8 nor GB18030",
        "zh-CN": "文本既不是 UTF-8 也不是 GB18030 编码",
    },
    "import_reason_xlsx": {
        "en": "it is not a valid XLSX workbook",
        "zh-CN": "不是有效的 XLSX 工作簿",
    },
    "import_reason_csv": {
        "en": "the CSV is malformed (line {line})",
        "zh-CN": "CSV 格式有误（第 {line} 行）",
    },
    "note_path_stripped": {
        "en": "{count} rows: the path began with “{prefix}”, the unit you are importing into "
        "(or the units above it); that part was left out.",
        "zh-CN": "{count} 行的路径以“{prefix}”开头，即导入到的组织（或其上级）；已去掉这一部分。",
    },
    "note_example_skipped": {
        "en": "This is the template's example row (student number {number} or phone {phone}); "
        "it was skipped.",
        "zh-CN": "这是模板中的示例行（学号 {number} 或手机 {phone}），已跳过。",
    },
    "note_leading_zeros": {
        "en": "Student number {value} would create a new student, but {suggested} ({name}) is "
        "already here: Excel may have dropped the leading zeros. Choose “Use the existing "
        "numbers” to import this row as {suggested}.",
        "zh-CN": "学号 {value} 将新建一名学生，但这里已有学号 {suggested}（{name}）：可能是 Excel "
        "去掉了开头的 0。选择“使用已有学号”即按 {suggested} 导入此行。",
    },
    "note_leading_zeros_used": {
        "en": "Student number {value} was taken as {suggested} ({name}), the existing student "
        "whose number had lost its leading zeros.",
        "zh-CN": "学号 {value} 已按已有学生 {suggested}（{name}）导入（原学号开头的 0 被去掉了）。",
    },
    "note_match_outside": {
        "en": "Phone {value} is an existing account outside the units you manage, with the same "
        "name; it is linked as it is and not changed.",
        "zh-CN": "手机号 {value} 是您管理范围之外的一个同名账号；将直接关联该账号，不作修改。",
    },
    "import_cli_row": {"en": "row {row}", "zh-CN": "第 {row} 行"},
    "import_cli_dry_run": {
        "en": "Dry run — nothing written.",
        "zh-CN": "预检——未写入任何数据。",
    },
    "import_cli_done": {"en": "Imported.", "zh-CN": "已导入。"},
    # import column mapping
    "import_unrecognised": {
        "en": " Columns not recognised: {columns} — map them to fields by hand (on the import "
        "page, with `columns` or --map).",
        "zh-CN": "未识别的列：{columns}——请手动将其对应到字段"
        "（在导入页面，或用 `columns`、--map）。",
    },
    "import_ambiguous_columns": {
        "en": "The columns “{first}” and “{second}” both mean {name}: map one of them to another "
        "field, or ignore it.",
        "zh-CN": "“{first}”和“{second}”两列都对应“{name}”：请将其中一列对应到其他字段，或忽略它。",
    },
    "import_mapping_heading": {
        "en": "The file has no column “{heading}” to map.",
        "zh-CN": "文件中没有要对应的列“{heading}”。",
    },
    "import_mapping_field": {
        "en": "“{value}” is not a field of this import; the fields are: {fields}.",
        "zh-CN": "“{value}”不是此类导入的字段；可用字段：{fields}。",
    },
    "import_mapping_invalid": {
        "en": "The column mapping must be a JSON object of heading → field (null: ignore).",
        "zh-CN": "列对应须为 JSON 对象：表头 → 字段（null 表示忽略该列）。",
    },
    "file_name_invalid": {
        "en": "The file name contains control characters or text-direction overrides; rename "
        "the file and upload it again.",
        "zh-CN": "文件名包含控制字符或改变文字方向的字符，请重命名文件后再上传。",
    },
    "v.text_control": {
        "en": "Must not contain control characters.",
        "zh-CN": "不能包含控制字符。",
    },
    "v.text_bidi": {
        "en": "Must not contain text-direction override characters (U+202A–U+202E, U+2066–U+2069).",
        "zh-CN": "不能包含改变文字方向的控制字符（U+202A–U+202E、U+2066–U+2069）。",
    },
    "v.text_markup": {
        "en": "Must not contain < or > (markup).",
        "zh-CN": "不能包含 < 或 >（网页标记）。",
    },
    "v.text_too_long": {"en": "The text is too long.", "zh-CN": "文本过长。"},
    "v.phone_invalid": {
        "en": "Not a valid phone number: a mainland mobile has 11 digits; write others with "
        "+ and the country code.",
        "zh-CN": "不是有效的手机号：大陆手机号为 11 位；其他地区请以 + 和国家代码开头。",
    },
    "v.email_invalid": {"en": "Not a valid email address.", "zh-CN": "不是有效的邮箱地址。"},
    "v.student_number_invalid": {
        "en": "A student number holds only letters, digits and - _ . (not first).",
        "zh-CN": "学号只能包含字母、数字和 - _ .（不能以符号开头）。",
    },
    # chat
    "direct_with_self": {
        "en": 'Use "My devices" to send things to yourself.',
        "zh-CN": "给自己发消息请使用“我的设备”。",
    },
    "person_inactive": {
        "en": "This person's account is deactivated.",
        "zh-CN": "该人员的账号已停用。",
    },
    "not_a_group": {"en": "Only groups can do that.", "zh-CN": "只有群聊可以这样做。"},
    "group_admin_only": {
        "en": "Only the group owner and admins may do this.",
        "zh-CN": "只有群主和群管理员可以执行此操作。",
    },
    "group_owner_only": {
        "en": "Only the group owner may do this.",
        "zh-CN": "只有群主可以执行此操作。",
    },
    "cannot_remove_admin": {
        "en": "Only the owner may remove an admin; nobody removes the owner.",
        "zh-CN": "只有群主可以移除管理员；群主不能被移除。",
    },
    "unit_group_follows_roster": {
        "en": "This group follows the roster of its unit; membership changes there.",
        "zh-CN": "该群成员随组织名单自动变化，请在组织中调整。",
    },
    "group_too_large": {
        "en": "A group has at most {max} members.",
        "zh-CN": "群成员最多 {max} 人。",
    },
    "bad_avatar": {
        "en": "The avatar must be an image uploaded to this conversation.",
        "zh-CN": "群头像必须是上传到本会话的图片。",
    },
    "client_msg_id_reused": {
        "en": "This client_msg_id was already used in another conversation.",
        "zh-CN": "该 client_msg_id 已在其他会话中使用。",
    },
    "client_msg_id_in_flight": {
        "en": "This message is being stored right now; retry to get it.",
        "zh-CN": "这条消息正在保存，请重试以获取结果。",
    },
    "empty_message": {"en": "The message is empty.", "zh-CN": "消息内容为空。"},
    "text_has_file": {
        "en": "A text message cannot carry a file.",
        "zh-CN": "文本消息不能附带文件。",
    },
    "file_required": {
        "en": "Upload the file first and send its id.",
        "zh-CN": "请先上传文件并附上文件编号。",
    },
    "not_an_image": {"en": "That file is not an image.", "zh-CN": "该文件不是图片。"},
    "not_a_voice_recording": {
        "en": "A voice message must be a sound recording (WebM, Ogg or MP4 audio).",
        "zh-CN": "语音消息必须是录音文件（WebM、Ogg 或 MP4 音频）。",
    },
    "voice_duration_invalid": {
        "en": "A voice message must be between 1 and 60 seconds long.",
        "zh-CN": "语音时长须在 1 到 60 秒之间。",
    },
    "voice_duration_mismatch": {
        "en": "The voice message's length does not match its recording.",
        "zh-CN": "语音时长与录音文件不符。",
    },
    "mention_all_not_allowed": {
        "en": "Only the group owner, admins and teachers may mention everyone.",
        "zh-CN": "只有群主、管理员和老师可以 @所有人。",
    },
    "mention_not_member": {
        "en": "You can only mention members of this conversation.",
        "zh-CN": "只能 @ 本会话的成员。",
    },
    "reply_not_found": {"en": "The quoted message does not exist.", "zh-CN": "引用的消息不存在。"},
    # forwarding
    "forward_too_many": {
        "en": "At most {limit} messages can be forwarded at once.",
        "zh-CN": "一次最多转发 {limit} 条消息。",
    },
    "forward_too_many_targets": {
        "en": "Messages can be forwarded to at most {limit} conversations at once.",
        "zh-CN": "一次最多转发给 {limit} 个会话。",
    },
    "forward_private": {
        "en": "Messages of a burn-after-reading chat cannot be forwarded.",
        "zh-CN": "阅后即焚私聊的消息不能转发。",
    },
    "forward_to_private": {
        "en": "Nothing can be forwarded into a burn-after-reading chat.",
        "zh-CN": "不能转发到阅后即焚私聊。",
    },
    "forward_message_missing": {
        "en": "One of the messages to forward does not exist (any more).",
        "zh-CN": "要转发的消息不存在或已被删除。",
    },
    "forward_recalled": {
        "en": "Recalled messages cannot be forwarded.",
        "zh-CN": "已撤回的消息不能转发。",
    },
    "forward_system": {
        "en": "System messages cannot be forwarded.",
        "zh-CN": "系统消息不能转发。",
    },
    "forward_not_allowed": {
        "en": "This message cannot be forwarded.",
        "zh-CN": "这条消息不能转发。",
    },
    "forward_target_unknown": {
        "en": "You can forward only to conversations you are a member of.",
        "zh-CN": "只能转发到您所在的会话。",
    },
    # preferences
    "v.time_invalid": {
        "en": "Must be a time of day as HH:MM, from 00:00 to 23:59.",
        "zh-CN": "请填写时间，格式为 HH:MM（00:00–23:59）。",
    },
    "dnd_window_empty": {
        "en": "Do not disturb must end at another time than it starts.",
        "zh-CN": "免打扰的结束时间不能与开始时间相同。",
    },
    "cannot_change_own_role": {
        "en": "The owner keeps the role until handing the group to another member.",
        "zh-CN": "群主需先把群转让给其他成员，才能改变自己的身份。",
    },
    "file_already_sent": {
        "en": "This file has been sent already; upload it again to send it once more.",
        "zh-CN": "该文件已发送过；如需再次发送，请重新上传。",
    },
    "recall_window_passed": {
        "en": "Messages can be recalled only within 2 minutes.",
        "zh-CN": "消息只能在发送后 2 分钟内撤回。",
    },
    "recall_not_allowed": {
        "en": "Only the sender or the group's admins may recall this.",
        "zh-CN": "只有发送者或群管理员可以撤回此消息。",
    },
    "cannot_recall_system": {
        "en": "System messages cannot be recalled.",
        "zh-CN": "系统消息不能撤回。",
    },
    "reset_too_soon": {
        "en": "A code was sent a moment ago. Ask again in {seconds} s.",
        "zh-CN": "验证码刚刚发送过，请 {seconds} 秒后再试。",
    },
    "reset_code_invalid": {
        "en": "The code is wrong or has expired. Ask for a new one.",
        "zh-CN": "验证码错误或已过期，请重新获取。",
    },
    "reset_code_text": {
        "en": "[Bellwork] Your code to set a new password is {code}, valid for {minutes} "
        "minutes. If you did not ask for it, ignore this message.",
        "zh-CN": "【Bellwork】你的找回密码验证码为 {code}，{minutes} 分钟内有效。"
        "如非本人操作，请忽略。",
    },
    "reset_code_subject": {"en": "Your Bellwork code", "zh-CN": "Bellwork 验证码"},
    "invites_off": {
        "en": "This group does not take people by its QR code or link.",
        "zh-CN": "该群已关闭扫码或链接入群。",
    },
    "invite_invalid": {
        "en": "This QR code or link has expired or been replaced. Ask for a new one.",
        "zh-CN": "该二维码或链接已过期或已被重置，请向群成员索取新的。",
    },
    "announcement_replaced": {
        "en": "This announcement has been replaced or removed.",
        "zh-CN": "该群公告已被更新或删除。",
    },
    "announcement_no_confirm": {
        "en": "This announcement does not ask you to confirm it.",
        "zh-CN": "该群公告无需你确认。",
    },
    "announcement_lists_for_admins": {
        "en": "Only the announcement's author and the group's admins see who has confirmed it.",
        "zh-CN": "只有公告发布者和群管理员可以查看确认情况。",
    },
    "not_private": {
        "en": "This is not a private (burn-after-reading) chat.",
        "zh-CN": "这不是阅后即焚私聊。",
    },
    "receipt_sender_only": {
        "en": "Only the sender sees who has read a message.",
        "zh-CN": "只有发送者可以查看已读未读名单。",
    },
    "file_empty": {"en": "The file is empty.", "zh-CN": "文件为空。"},
    "file_too_large": {
        "en": "The file is larger than {limit} MB.",
        "zh-CN": "文件超过 {limit} MB。",
    },
    "image_too_large": {"en": "The image has too many pixels.", "zh-CN": "图片像素过多。"},
    "file_type_refused": {"en": "This kind of file cannot be sent.", "zh-CN": "不能发送此类文件。"},
    "file_type_mismatch": {
        "en": "The file claims to be {claimed} but its content is {actual}.",
        "zh-CN": "文件声称是 {claimed}，但内容是 {actual}。",
    },
    # operations
    "metrics_forbidden": {
        "en": "Metrics are served to local addresses or with the metrics token only.",
        "zh-CN": "监控指标仅对本机地址或持有监控令牌的请求开放。",
    },
    # realtime topics
    "topic_refused": {
        "en": "This topic does not exist or is not yours to follow.",
        "zh-CN": "该主题不存在或您无权订阅。",
    },
    "unknown_type": {"en": "Unknown frame type.", "zh-CN": "未知的消息类型。"},
    "bad_frame": {
        "en": "The frame is not valid JSON of a known shape.",
        "zh-CN": "消息帧格式无效。",
    },
    "frame_too_large": {
        "en": "Frames may be at most {limit} bytes.",
        "zh-CN": "消息帧最大 {limit} 字节。",
    },
    # jobs
    "job_not_dead": {
        "en": "Only a dead job (one that used up its attempts) can be retried.",
        "zh-CN": "只有已失败（重试次数用尽）的任务可以重试。",
    },
    "qr_login_ended": {
        "en": "This QR code has expired or was already used. Show a new one on the computer.",
        "zh-CN": "此二维码已过期或已被使用，请在电脑上刷新二维码。",
    },
    "qr_login_busy": {
        "en": "Too many QR codes were requested from this address; try again in {seconds} s.",
        "zh-CN": "此地址请求的二维码过多，请在 {seconds} 秒后重试。",
    },
    # audit log filters and export
    "audit_unknown_action": {
        "en": "Unknown action: {value}.",
        "zh-CN": "未知的操作：{value}。",
    },
    "audit_too_many_actions": {
        "en": "Choose at most {limit} actions.",
        "zh-CN": "最多选择 {limit} 种操作。",
    },
    "audit_unknown_person": {
        "en": "There is no person with id {value}.",
        "zh-CN": "找不到编号为 {value} 的人员。",
    },
    "audit_unknown_unit": {
        "en": "There is no unit with id {value}.",
        "zh-CN": "找不到编号为 {value} 的组织。",
    },
    "audit_time_without_zone": {
        "en": "{param} must include a time zone offset, e.g. 2025-03-01T00:00:00+08:00.",
        "zh-CN": "{param} 必须带时区偏移，例如 2025-03-01T00:00:00+08:00。",
    },
    "audit_empty_range": {
        "en": "The start of the time range must be before its end.",
        "zh-CN": "时间范围的开始必须早于结束。",
    },
    "unknown_time_zone": {
        "en": "Unknown time zone: {value}.",
        "zh-CN": "未知的时区：{value}。",
    },
    "audit_export_too_large": {
        "en": "More than {limit} entries match. Narrow the filters (a shorter time range, "
        "one unit or one action) and export again.",
        "zh-CN": "符合条件的记录超过 {limit} 条。"
        "请缩小筛选范围（更短的时间段、某个组织或某种操作）后再导出。",
    },
    # sms
    "sms_quota_reached": {
        "en": "SMS quota of {limit} for this month reached.",
        "zh-CN": "本月短信额度（{limit} 条）已用完。",
    },
    # ding
    "ding_not_allowed": {
        "en": "Only heads, teachers and staff of a unit may send a DING.",
        "zh-CN": "只有组织的负责人、老师和职员可以发送 DING。",
    },
    "ding_people_unreachable": {
        "en": "{count} of the people chosen cannot be reached by you (not visible to you, or "
        "their account is deactivated). Remove them and send again.",
        "zh-CN": "所选人员中有 {count} 人您无法联系（您看不到此人，或其账号已停用）。"
        "请移除后重新发送。",
    },
    "ding_audience_empty": {
        "en": "Nobody to DING: the people and units chosen have no one you may reach.",
        "zh-CN": "没有可以 DING 的人：所选人员和组织中没有您能联系的人。",
    },
    "ding_too_many": {
        "en": "A DING may reach at most {limit} people. Choose fewer units.",
        "zh-CN": "一条 DING 最多发给 {limit} 人，请减少所选组织。",
    },
    "ding_time_past": {
        "en": "The time to send is not in the future. Choose a later time, or send now.",
        "zh-CN": "定时发送的时间已过，请选择更晚的时间，或立即发送。",
    },
    "v.ding_text_empty": {"en": "Write what to say.", "zh-CN": "请填写 DING 的内容。"},
    "ding_remind_too_soon": {
        "en": "They were alerted less than 5 minutes ago. Remind again in {minutes} min "
        "{seconds} s.",
        "zh-CN": "距上次提醒不足 5 分钟，请 {minutes} 分 {seconds} 秒后再提醒。",
    },
    "ding_all_confirmed": {
        "en": "Everyone has confirmed this DING already.",
        "zh-CN": "所有人都已确认收到这条 DING。",
    },
    "ding_recalled": {"en": "This DING was recalled.", "zh-CN": "这条 DING 已撤回。"},
    "ding_not_sent": {
        "en": "This DING has not been sent yet (it is scheduled).",
        "zh-CN": "这条 DING 还未发出（定时发送）。",
    },
    "ding_delivery_text": {
        "en": "[DING] {sender}: {body} — please confirm in Bellwork.",
        "zh-CN": "【DING】{sender}：{body}（请在 Bellwork 中确认收到）",
    },
    "ding_sms_quota": {
        "en": "Text messages to {count} people would go over this month's SMS quota of {limit} "
        "({left} left). Send it without text messages, or to fewer people.",
        "zh-CN": "给 {count} 人发短信将超出本月短信额度（{limit} 条，剩余 {left} 条）。"
        "请不选短信发送，或减少接收人。",
    },
    "ding_delivery_subject": {"en": "DING from {sender}", "zh-CN": "来自{sender}的 DING"},
}

THINGS: dict[str, dict[str, str]] = {
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
    "job": {"en": "Job", "zh-CN": "任务"},
    "ding": {"en": "DING", "zh-CN": "DING"},
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
