"""Keeps secrets and people's words out of the server's logs.

uvicorn logs every request and socket with its query string (the access log, and
"WebSocket /api/v1/events?token=..." [accepted]). Query strings carry secrets (`?token=bw_...`)
and what people typed (`?q=` searches of the directory and of chat history, cursors holding a
name's sort key). This filter, installed on uvicorn's loggers by the app, replaces the value of
every query parameter with `[redacted]` except those known to be harmless (numbers, flags),
before any handler sees the record.
"""

from __future__ import annotations

import logging
import re

# Parameters whose values are ids, counts, flags or fixed words: kept, they help reading logs.
KEPT = frozenset(
    {
        "limit",
        "unit_id",
        "subtree",
        "include_inactive",
        "include_archived",
        "after_seq",
        "before_seq",
        "around_seq",
        "target_type",
        "target_id",
        "kind",
        "dry_run",
        "download",
        "thumb",
    }
)
_QUERY = re.compile(r"\?([^\s\"]*)")
LOGGERS = ("uvicorn.error", "uvicorn.access")


def _params(match: re.Match[str]) -> str:
    parts = []
    for part in match.group(1).split("&"):
        name, eq, _ = part.partition("=")
        parts.append(part if not eq or name.lower() in KEPT else f"{name}=[redacted]")
    return "?" + "&".join(parts)


def redact(text: str) -> str:
    return _QUERY.sub(_params, text) if "?" in text else text


class RedactQueries(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "?" in record.msg:
            record.msg = redact(record.msg)
        args = record.args
        if isinstance(args, tuple) and any(isinstance(a, str) and "?" in a for a in args):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        return True


def install() -> None:
    """Adds the filter to uvicorn's loggers, once."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactQueries) for f in logger.filters):
            logger.addFilter(RedactQueries())
