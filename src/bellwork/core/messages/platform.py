"""Operations, realtime topics, jobs, the audit log and SMS (the platform).
Server-side messages in zh-CN and English, looked up by core/i18n.py."""

MESSAGES: dict[str, dict[str, str]] = {
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
}
