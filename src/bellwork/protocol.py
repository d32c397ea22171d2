"""The socket protocol of this installation: realtime's own frames plus each domain's part.

A new domain that publishes to the socket adds its `Part` here (its events, topics and client
frames); the app serves it, the OpenAPI schema documents its events and the web client's types
are generated from that. See CONTRIBUTING.md ("Real time").
"""

from __future__ import annotations

from bellwork.chat.live import PART as CHAT
from bellwork.ding.live import PART as DING
from bellwork.org.live import PART as ORG
from bellwork.preferences.live import PART as PREFERENCES
from bellwork.realtime.protocol import Protocol

PROTOCOL = Protocol([CHAT, ORG, PREFERENCES, DING])
