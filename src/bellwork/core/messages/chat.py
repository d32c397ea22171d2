"""Chat, forwarding and one's notification preferences (chat/, preferences/).
Server-side messages in zh-CN and English, looked up by core/i18n.py."""

MESSAGES: dict[str, dict[str, str]] = {
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
}
