"""Shapes shared by every domain's API: pages with opaque cursors."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from bellwork.core.errors import Invalid

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# What one position of a cursor may hold. Cursors are opaque to clients but are still input:
# each value is checked against its type before it reaches a query (a float, a null, an
# integer beyond 64 bits or a NUL character would otherwise be a database error, i.e. a 500).
CursorField = type[str] | type[int] | type[datetime]

_MAX_CURSOR = 1024
_MAX_CURSOR_TEXT = 512
_ID_MAX = 2**63 - 1


def _bad_cursor() -> Invalid:
    return Invalid("bad_cursor", errors=[{"field": "cursor"}])


def _field(value: Any, kind: CursorField) -> Any:
    if kind is int:
        # bool is an int in Python; JSON true/false are not positions.
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _ID_MAX:
            raise _bad_cursor()
        return value
    if not isinstance(value, str) or len(value) > _MAX_CURSOR_TEXT or "\x00" in value:
        raise _bad_cursor()
    if kind is datetime:
        try:
            at = datetime.fromisoformat(value)
        except ValueError as exc:
            raise _bad_cursor() from exc
        if at.tzinfo is None:
            raise _bad_cursor()
        return at
    return value


def decode_cursor(cursor: str | None, *fields: CursorField) -> list[Any] | None:
    """The typed values of a page's `next_cursor`, or None without one; 422 `bad_cursor` for
    anything that is not a cursor this API made (each value checked against `fields`)."""
    if not cursor:
        return None
    if len(cursor) > _MAX_CURSOR:
        raise _bad_cursor()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()), parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise _bad_cursor() from exc
    if not isinstance(values, list) or len(values) != len(fields):
        raise _bad_cursor()
    return [_field(v, kind) for v, kind in zip(values, fields, strict=True)]


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a cursor value")
