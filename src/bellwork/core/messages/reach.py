"""DING, notices and Web Push, with what a push says (ding/, notices/, push/).
Server-side messages in zh-CN and English, looked up by core/i18n.py."""

MESSAGES: dict[str, dict[str, str]] = {
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
    "ding_voice_quota": {
        "en": "Voice calls to {count} people would go over this month's voice quota of {limit} "
        "({left} left). Send it without voice calls, or to fewer people.",
        "zh-CN": "给 {count} 人打语音电话将超出本月语音额度（{limit} 次，剩余 {left} 次）。"
        "请不选语音电话发送，或减少接收人。",
    },
    "ding_unread_sender_only": {
        "en": "Only the sender of a message may DING those who have not read it.",
        "zh-CN": "只有消息的发送者可以 DING 未读的人。",
    },
    "ding_file_unknown": {
        "en": "File {id} is not one you uploaded for this DING. Upload it again.",
        "zh-CN": "文件 {id} 不是您为这条 DING 上传的文件，请重新上传。",
    },
    "ding_voice_missing": {
        "en": "A voice note's length was given without the voice note.",
        "zh-CN": "填写了语音时长，却没有附上语音。",
    },
    "v.time_zone_unknown": {
        "en": "Unknown time zone: use an IANA name such as Asia/Shanghai.",
        "zh-CN": "未知的时区，请使用 IANA 名称，例如 Asia/Shanghai。",
    },
    # notices
    "notice_not_allowed": {
        "en": "Only heads, teachers and staff of a unit may publish a notice.",
        "zh-CN": "只有组织的负责人、老师和职员可以发布通知。",
    },
    "notice_people_unreachable": {
        "en": "{count} of the people chosen cannot be reached by you (not visible to you, or "
        "their account is deactivated). Remove them and publish again.",
        "zh-CN": "所选人员中有 {count} 人您无法联系（您看不到此人，或其账号已停用）。"
        "请移除后重新发布。",
    },
    "notice_audience_empty": {
        "en": "Nobody would receive this notice: the people and units chosen have no one you "
        "may reach with the roles chosen.",
        "zh-CN": "这条通知没有接收人：所选人员和组织中没有您能联系的、所选身份的人。",
    },
    "notice_too_many": {
        "en": "A notice may reach at most {limit} people. Choose fewer units.",
        "zh-CN": "一条通知最多发给 {limit} 人，请减少所选组织。",
    },
    "notice_time_past": {
        "en": "The time to publish is not in the future. Choose a later time, or publish now.",
        "zh-CN": "定时发布的时间已过，请选择更晚的时间，或立即发布。",
    },
    "notice_file_unknown": {
        "en": "File {id} is not one you uploaded for this notice. Upload it again.",
        "zh-CN": "文件 {id} 不是您为这条通知上传的文件，请重新上传。",
    },
    "notice_recalled": {"en": "This notice was recalled.", "zh-CN": "这条通知已撤回。"},
    "notice_no_confirm": {
        "en": "This notice does not ask to confirm reading.",
        "zh-CN": "这条通知不需要确认已读。",
    },
    "notice_not_published": {
        "en": "This notice has not been published yet.",
        "zh-CN": "这条通知尚未发布。",
    },
    "notice_all_read": {
        "en": "Everyone has read this notice already.",
        "zh-CN": "所有人都已读过这条通知。",
    },
    "notice_ding_text": {
        "en": "Please read the notice “{title}”: {link}",
        "zh-CN": "请阅读通知《{title}》：{link}",
    },
    "v.notice_title_empty": {"en": "Write a title.", "zh-CN": "请填写通知标题。"},
    # push (Web Push to installed web apps)
    "v.push_endpoint_invalid": {
        "en": "Not a push subscription's endpoint (an https:// URL).",
        "zh-CN": "不是有效的推送订阅地址（应为 https:// 网址）。",
    },
    "push_endpoint_refused": {
        "en": "This browser's push service ({host}) is not one this server sends to. Ask the "
        "administrator to allow it (BELLWORK_PUSH_HOSTS).",
        "zh-CN": "本服务器不向此浏览器的推送服务（{host}）发送推送。"
        "请联系管理员允许该服务（BELLWORK_PUSH_HOSTS）。",
    },
    # what a push says (in each device's language)
    "push_ding_title": {"en": "DING from {sender}", "zh-CN": "{sender}发来 DING"},
    "push_direct_title": {"en": "{sender}", "zh-CN": "{sender}"},
    "push_mention_title": {
        "en": "{sender} mentioned you in {conversation}",
        "zh-CN": "{sender}在「{conversation}」中@了你",
    },
    "push_mention_plain_title": {"en": "{sender} mentioned you", "zh-CN": "{sender}@了你"},
    "push_notice_title": {"en": "Notice: {title}", "zh-CN": "通知：{title}"},
    "push_notice_recalled_title": {"en": "Notice recalled", "zh-CN": "通知已撤回"},
    "push_private_body": {"en": "A new private message", "zh-CN": "一条新的私密消息"},
    "push_confirmed_title": {"en": "Confirmed", "zh-CN": "已确认收到"},
    "push_recalled_title": {"en": "DING recalled", "zh-CN": "DING 已撤回"},
    "push_recalled_body": {
        "en": "The sender took this DING back.",
        "zh-CN": "发送人已撤回这条 DING。",
    },
    "push_confirmed_body": {
        "en": "You confirmed it on another device.",
        "zh-CN": "您已在其他设备上确认收到。",
    },
    "push_kind_image": {"en": "[Image]", "zh-CN": "[图片]"},
    "push_kind_file": {"en": "[File]", "zh-CN": "[文件]"},
    "push_kind_voice": {"en": "[Voice message]", "zh-CN": "[语音]"},
    "push_kind_history": {"en": "[Chat history]", "zh-CN": "[聊天记录]"},
    "push_kind_announcement": {"en": "[Announcement]", "zh-CN": "[群公告]"},
}
