"""Errors as RFC 9457 problem details with a stable `code`.

Services raise `Problem`s; the app turns them into `application/problem+json` answers, with the
title in the request's language.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

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


def request_problem(kind: str, message: str, status: int = 422, **params: Any) -> Problem:
    """A problem with the request as a whole rather than one field (not JSON, too large, a NUL
    character): 422 `validation_failed`, or the `message` key as its code for another status,
    with one error of type `kind` whose message is `message` translated."""
    code = "validation_failed" if status == 422 else message
    errors = [{"field": None, "message": t(message, **params), "type": kind}]
    return Problem(code, status, errors=errors, **params)


def problem_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def problem_answer(problem: Problem) -> JSONResponse:
    return problem_response(problem.status, problem.to_dict(), problem.headers)
