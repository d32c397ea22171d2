"""Per-request context values that deep layers may read (the caller's address for the audit)."""

from contextvars import ContextVar

current_address: ContextVar[str | None] = ContextVar("current_address", default=None)
