"""Keeps secrets out of the server's logs.

Scripts may open the events socket with `?token=bw_...`; uvicorn logs every request and socket
with its query string ("WebSocket /api/v1/events?token=..." [accepted], and the access log).
This filter, installed on uvicorn's loggers by the app, masks such values before any handler
sees them.
"""

from __future__ import annotations

import logging
import re

_SECRET = re.compile(r"((?:^|[?&])(?:token|access_token)=)[^&\s\"]+", re.IGNORECASE)
LOGGERS = ("uvicorn.error", "uvicorn.access")


def redact(text: str) -> str:
    return _SECRET.sub(r"\1[redacted]", text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "token=" in record.msg.lower():
            record.msg = redact(record.msg)
        args = record.args
        if isinstance(args, tuple) and any(
            isinstance(a, str) and "token=" in a.lower() for a in args
        ):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        return True


def install() -> None:
    """Adds the filter to uvicorn's loggers, once."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
