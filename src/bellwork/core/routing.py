"""The API's routers: FastAPI's, made to step aside at once for a path none of their routes
can match.

FastAPI (0.16x) finds a request's route by asking every included router in turn, and each
router tries the path pattern of each of its routes: a request to the last domain's routes is
matched against some hundred patterns first — about a tenth of the CPU of a quick request
(a form submission, measured in bench/forms_submit.py). A `Router` knows the leading path
segments its routes begin with (`/api/v1/forms`, or for chat's `/api/v1` router
`/api/v1/conversations`, `/api/v1/messages`, …) and answers "no match" for any other path
without trying a pattern. A router with a route whose first segments hold a parameter keeps
FastAPI's way.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.routing import Match
from starlette.types import Scope

SEGMENTS = 3  # "/api/v1/<domain>"
_HEAD_KEY = "bellwork.route_head"
_UNSET = object()


def _head(path: str) -> str | None:
    parts = path.split("/", SEGMENTS + 1)
    if len(parts) <= SEGMENTS:
        return None
    return "/".join(parts[: SEGMENTS + 1])


class Router(APIRouter):
    """An `APIRouter` that skips paths none of its routes begin with."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._heads: frozenset[str] | None = None
        self._heads_for = -1

    def _known_heads(self) -> frozenset[str] | None:
        if self._heads_for != len(self.routes):
            heads: set[str] | None = set()
            for route in self.routes:
                head = _head(getattr(route, "path", "") or "")
                if heads is None or head is None or "{" in head:
                    heads = None
                    continue
                heads.add(head)
            self._heads = frozenset(heads) if heads is not None else None
            self._heads_for = len(self.routes)
        return self._heads

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        heads = self._known_heads()
        if heads is not None and not scope.get("root_path"):
            # Every router asks: the request's head is worked out once and kept in its scope.
            head = scope.get(_HEAD_KEY, _UNSET)
            if head is _UNSET:
                head = scope[_HEAD_KEY] = _head(scope.get("path", "") + "/")
            if head not in heads:
                return Match.NONE, {}
        return super().matches(scope)
