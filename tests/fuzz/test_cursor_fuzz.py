"""Opaque parameters fuzzed directly: page cursors and the receipts' `seqs` list.

A cursor is base64 of a JSON list the server made, so schemathesis (which sees only "a string")
never builds one that decodes. Here hypothesis builds the decoded JSON itself — nulls, floats
beyond range, integers beyond 64 bits, NUL characters, nested lists, wrong arity — and every
answer must be 200 or 422 `bad_cursor`, never a server error. Crafted examples from the outside
review (`["x",1e400]`, `[null,null]`, `["x","y"]`, 2**64) are pinned as explicit cases.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import World

LISTINGS = [
    "/api/v1/people",
    "/api/v1/conversations",
    "/api/v1/conversations/unread",
    "/api/v1/audit",
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["2026-11-27T10:00:00+00:00", "2026-11-27T10:00:00", "x", "\x00"]),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=6,
)


def raw_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def as_cursor(value: Any) -> str:
    return raw_cursor(json.dumps(value, ensure_ascii=False))


async def admin_client(world: World) -> httpx.AsyncClient:
    school = await world.unit("实验小学")
    admin = await world.person("管理员", (school, "head"), username="admin1", is_admin=True)
    return await world.login(admin)


@pytest.mark.parametrize("path", LISTINGS)
@pytest.mark.parametrize(
    "cursor",
    [
        raw_cursor('["x",1e400]'),
        raw_cursor("[1e400]"),
        raw_cursor("[NaN, Infinity]"),
        as_cursor([None, None]),
        as_cursor(["x", "y"]),
        as_cursor(["x", 2**64]),
        as_cursor([2**64]),
        as_cursor(["2026-11-27T10:00:00+00:00", -1]),
        as_cursor(["\x00", 1]),
        as_cursor([True]),
        as_cursor({"a": 1}),
        raw_cursor("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]"),
        "not base64 at all!",
        "",
    ],
)
async def test_crafted_cursors_are_422_not_500(world: World, path: str, cursor: str) -> None:
    c = await admin_client(world)
    r = await c.get(path, params={"cursor": cursor})
    if cursor == "":
        assert r.status_code == 200, r.text
        return
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "bad_cursor"
    assert r.json()["errors"][0]["field"] == "cursor"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(value=json_values, path=st.sampled_from(LISTINGS))
@example(value=["x", 2**64], path="/api/v1/people")
async def test_fuzzed_cursors_never_fail_the_server(world: World, value: Any, path: str) -> None:
    c = await admin_client_cached(world)
    r = await c.get(path, params={"cursor": as_cursor(value)})
    assert r.status_code in (200, 422), r.text
    if r.status_code == 422:
        assert r.json()["code"] == "bad_cursor"


async def admin_client_cached(world: World) -> httpx.AsyncClient:
    """One login for all of hypothesis's examples (they share the test's world)."""
    c: httpx.AsyncClient | None = world.__dict__.get("_cursor_admin")
    if c is None:
        c = world.__dict__["_cursor_admin"] = await admin_client(world)
    return c


async def test_real_cursors_still_page(world: World) -> None:
    """The check refuses forgeries, not the cursors the server hands out."""
    school = await world.unit("实验小学")
    admin = await world.person("管理员", (school, "head"), username="admin1", is_admin=True)
    for i in range(5):
        await world.person(f"学生{i}", (school, "student"))
    c = await world.login(admin)
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await c.get("/api/v1/people", params=params)).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 6


@pytest.mark.parametrize("seqs", ["1,x", "99999999999999999999", "1e3", "-1", "1,,2,\x01"])
async def test_receipt_seqs_are_checked(world: World, seqs: str) -> None:
    c = await admin_client(world)
    r = await c.post("/api/v1/conversations/groups", json={"name": "组", "member_ids": []})
    assert r.status_code == 201, r.text
    conv = r.json()["id"]
    r = await c.get(f"/api/v1/conversations/{conv}/receipts", params={"seqs": seqs})
    assert r.status_code == 422, r.text
