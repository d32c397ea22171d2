"""The socket protocol of this installation: realtime's own frames plus each domain's part.

A new domain that publishes to the socket adds its `Part` here (its events, topics and client
frames); the app serves it, the OpenAPI schema documents its events and the web client's types
are generated from that. See CONTRIBUTING.md ("Real time").
"""

from __future__ import annotations

from bellwork.approvals.live import PART as APPROVALS
from bellwork.calls.live import PART as CALLS
from bellwork.chat.live import PART as CHAT
from bellwork.ding.live import PART as DING
from bellwork.forms.live import PART as FORMS
from bellwork.lessons.live import PART as LESSONS
from bellwork.meetings.live import PART as MEETINGS
from bellwork.notices.live import PART as NOTICES
from bellwork.org.live import PART as ORG
from bellwork.preferences.live import PART as PREFERENCES
from bellwork.realtime.protocol import Protocol
from bellwork.reports.live import PART as REPORTS

PROTOCOL = Protocol(
    [CHAT, ORG, PREFERENCES, DING, NOTICES, FORMS, REPORTS, LESSONS, APPROVALS, MEETINGS, CALLS]
)
