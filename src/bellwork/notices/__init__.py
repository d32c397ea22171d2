"""Notices (通知公告): class announcements and school-wide notices (issue 11; docs/notices.md).

An author (a head, teacher or staff member of a unit, or an admin) writes a title and a Markdown
body with images and attachments, an importance and optionally "confirm you have read", and
picks an audience of people and units × roles (`org.audience.resolve`, as for DING and forms).
The recipients are snapshotted when it is published (now or at a minute): one `NoticeReceipt`
each, with the unit they were reached in, so the statistics by unit stay true after people
move. Recipients find it in their inbox and as a card in their unit's group chat; the author
watches who read and confirmed, by unit, live, and DINGs everyone who has not read it.
"""
