"""Meetings (视频会议): docs/meetings.md."""
