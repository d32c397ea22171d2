"""Accounts, access, the organisation, people's fields and the import (auth/, org/).
Server-side messages in zh-CN and English, looked up by core/i18n.py."""

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
    "photo_type_refused": {
        "en": "A photo must be a JPEG, PNG or WebP picture.",
        "zh-CN": "头像须为 JPEG、PNG 或 WebP 格式的图片。",
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
    "import_too_many_rows": {
        "en": "The file has more than {limit} rows; nothing was imported. Split it into files of"
        " at most {limit} rows.",
        "zh-CN": "文件超过 {limit} 行，未导入任何数据。请拆分为每个不超过 {limit} 行的文件。",
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
}
