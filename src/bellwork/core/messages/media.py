"""Media servers, live lessons, meetings and 1:1 calls (media/, lessons/, meetings/, calls/).
Server-side messages in zh-CN and English, looked up by core/i18n.py."""

MESSAGES: dict[str, dict[str, str]] = {
    # calls/ (docs/calls.md)
    "push_kind_call": {"en": "[Call]", "zh-CN": "[通话]"},
    "push_call_title": {"en": "{sender} is calling you", "zh-CN": "{sender}邀请您通话"},
    "push_call_voice_body": {"en": "Voice call", "zh-CN": "语音通话"},
    "push_call_video_body": {"en": "Video call", "zh-CN": "视频通话"},
    "push_call_over_title": {"en": "Call over", "zh-CN": "通话已结束"},
    "call_self": {"en": "You cannot call yourself.", "zh-CN": "不能呼叫自己。"},
    "call_you_are_busy": {
        "en": "You are already in a call. Hang it up first.",
        "zh-CN": "您正在通话中，请先挂断当前通话。",
    },
    "call_callee_only": {
        "en": "Only the person called can answer or decline.",
        "zh-CN": "只有被呼叫的人可以接听或拒绝。",
    },
    "call_answered_elsewhere": {
        "en": "This call was answered on another device.",
        "zh-CN": "已在其他设备上接听。",
    },
    "call_over": {"en": "This call has ended.", "zh-CN": "通话已结束。"},
    "call_not_answered": {"en": "The call has not been answered yet.", "zh-CN": "对方尚未接听。"},
    "call_watch_again": {
        "en": "The connection was lost. Try again.",
        "zh-CN": "连接已断开，请重试。",
    },
    # media/ (docs/media.md): why lessons, meetings and calls cannot start.
    "media_not_configured": {
        "en": "Live lessons, meetings and calls are not set up on this server.",
        "zh-CN": "本服务器未配置直播课堂、视频会议和通话。",
    },
    "media_not_installed": {
        "en": "Live lessons, meetings and calls need the Janus media server, which is not "
        "installed on this server.",
        "zh-CN": "直播课堂、视频会议和通话需要 Janus 媒体服务器，本服务器尚未安装。",
    },
    "media_starting": {
        "en": "The media server is starting; try again in a moment.",
        "zh-CN": "媒体服务器正在启动，请稍后再试。",
    },
    "media_down": {
        "en": "The media server is not answering; live lessons, meetings and calls cannot "
        "start now.",
        "zh-CN": "媒体服务器无响应，暂时无法开始直播课堂、视频会议和通话。",
    },
    # lessons/ (docs/lessons.md)
    "lesson_not_allowed": {
        "en": "You can schedule lessons only for classes you teach.",
        "zh-CN": "只能为您任教的班级安排直播课。",
    },
    "lesson_teacher_only": {
        "en": "Only the lesson's teacher may do this.",
        "zh-CN": "只有本节课的老师可以执行此操作。",
    },
    "lesson_ended": {"en": "This lesson has ended.", "zh-CN": "本节直播课已结束。"},
    "lesson_not_live": {"en": "This lesson is not live.", "zh-CN": "本节课尚未开始直播。"},
    "lesson_not_on_stage": {
        "en": "Only the teacher and students on stage may send video.",
        "zh-CN": "只有老师和已上台连麦的学生可以发送视频。",
    },
    "lesson_stage_full": {
        "en": "At most {limit} people may be on stage at once.",
        "zh-CN": "最多 {limit} 人同时连麦。",
    },
    "lesson_teacher_hand": {
        "en": "The teacher does not raise a hand.",
        "zh-CN": "老师无需举手。",
    },
    "lesson_comments_muted": {
        "en": "The teacher has turned comments off.",
        "zh-CN": "老师已开启全员禁言。",
    },
    "lesson_you_are_muted": {
        "en": "The teacher has muted you in the comments.",
        "zh-CN": "您已被老师禁言。",
    },
    "lesson_comments_too_fast": {
        "en": "You are commenting too fast; wait a few seconds.",
        "zh-CN": "发言太快了，请稍等几秒再发。",
    },
    "lesson_watch_again": {
        "en": "The video connection expired; watch again.",
        "zh-CN": "视频连接已失效，请重新观看。",
    },
    "media_unavailable": {
        "en": "No media server is available: live video cannot start now.",
        "zh-CN": "没有可用的媒体服务器，暂时无法进行视频直播。",
    },
    # meetings/ (docs/meetings.md)
    "v.meeting_one_audience": {
        "en": "Choose one: a conversation, a unit or the people to invite.",
        "zh-CN": "请选择一种参会范围：一个会话、一个组织或邀请的人员。",
    },
    "meeting_host_only": {
        "en": "Only the meeting's host may do this.",
        "zh-CN": "只有会议主持人可以执行此操作。",
    },
    "meeting_ended": {"en": "This meeting has ended.", "zh-CN": "会议已结束。"},
    "meeting_not_live": {"en": "This meeting has not started.", "zh-CN": "会议尚未开始。"},
    "meeting_not_in": {
        "en": "You are not in the meeting (still waiting to be admitted, or you left).",
        "zh-CN": "您不在会议中（仍在等候主持人准入，或已离开）。",
    },
    "meeting_removed": {
        "en": "The host removed you from this meeting.",
        "zh-CN": "您已被主持人移出会议。",
    },
    "meeting_locked": {
        "en": "The host has locked this meeting: nobody new may join.",
        "zh-CN": "主持人已锁定会议，暂时无法加入。",
    },
    "meeting_full": {
        "en": "The meeting is full ({limit} people).",
        "zh-CN": "会议人数已满（{limit} 人）。",
    },
    "meeting_screen_busy": {
        "en": "Someone else is sharing a screen; ask them to stop first.",
        "zh-CN": "已有其他人在共享屏幕，请等对方停止后再共享。",
    },
    "meeting_muted_by_host": {
        "en": "The host muted you; you can unmute once the host allows it.",
        "zh-CN": "您已被主持人静音，主持人允许后才能开麦。",
    },
    "meeting_remove_host": {
        "en": "The host cannot remove themselves; hand the host role over or end the meeting.",
        "zh-CN": "主持人不能移出自己，请先转让主持人或结束会议。",
    },
    "meeting_private_chat": {
        "en": "Meetings cannot be held in a private chat.",
        "zh-CN": "密聊中不能发起会议。",
    },
    "meeting_nobody_invited": {
        "en": "Invite at least one other person.",
        "zh-CN": "请至少邀请一位其他成员。",
    },
    "meeting_watch_again": {
        "en": "The video connection expired; watch again.",
        "zh-CN": "视频连接已失效，请重新连接。",
    },
    "meeting_not_in_unit": {
        "en": "You can hold a meeting only for a unit whose group you belong in.",
        "zh-CN": "只能为自己所在的组织发起会议。",
    },
    "meeting_not_scheduled": {
        "en": "Only a meeting that has not started can be moved.",
        "zh-CN": "只有尚未开始的会议可以改期。",
    },
    "meeting_time_past": {
        "en": "That time has passed. Choose a time later than now.",
        "zh-CN": "该时间已过，请选择晚于现在的时间。",
    },
    "push_meeting_now_title": {
        "en": "The meeting starts now",
        "zh-CN": "会议即将开始",
    },
    "push_meeting_soon_title": {
        "en": "The meeting starts in {minutes} minutes",
        "zh-CN": "会议将在 {minutes} 分钟后开始",
    },
    "meeting_minutes_head": {
        "en": "Minutes · {title}\n{date} · {people} attended · {minutes} min",
        "zh-CN": "会议纪要 · {title}\n{date} · {people} 人参会 · 时长 {minutes} 分钟",
    },
}
