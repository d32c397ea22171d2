"""Errors as RFC 9457 problem details with a stable `code`.

Services raise `Problem`s; the app turns them into `application/problem+json` answers, with the
title in the request's language.
"""

from __future__ import annotations

from typing import Any

from bellwork.core.i18n import t

PROBLEM = "application/problem+json"


class Problem(Exception):
    status: int = 400

    def __init__(
        self,
        code: str,
        status: int | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(code)
        self.code = code
        if status is not None:
            self.status = status
        self.params = params
        self.errors = errors
        self.headers = headers

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://bellwork.example/problems/{self.code}",
            "title": t(self.code, **self.params),
            "status": self.status,
            "code": self.code,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        return body


class NotFound(Problem):
    """404 for both 'missing' and 'not yours', so nothing leaks that a thing exists."""

    status = 404

    def __init__(self, thing: str) -> None:
        super().__init__("not_found", thing=thing)


class Forbidden(Problem):
    status = 403


class Conflict(Problem):
    status = 409


class Invalid(Problem):
    status = 422
