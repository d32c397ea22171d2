"""Every operation of the OpenAPI schema, fed schema-conforming requests by schemathesis.

Requests go to the ASGI app in the test's own event loop (httpx.ASGITransport), authenticated as an
installation admin with a personal API token. Checks: no 5xx answer, and the answer's status,
content type and body conform to the schema.

BELLWORK_FUZZ_EXAMPLES (default 5) sets the examples per operation; BELLWORK_FUZZ_RANDOM=1 lets
hypothesis explore new inputs instead of its fixed seed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks as sc

from bellwork.app import create_app
from bellwork.auth import service as auth_service
from bellwork.auth.service import Actor
from bellwork.config import Settings
from tests.conftest import World, make_client

EXAMPLES = int(os.environ.get("BELLWORK_FUZZ_EXAMPLES", "5"))
RANDOM = os.environ.get("BELLWORK_FUZZ_RANDOM") == "1"

INT64 = 2**63 - 1


def bound_integers(node: Any) -> Any:
    """Give every integer in the schema the 64-bit range the databases store.

    The API states these bounds on ids; this covers any integer that does not (a 2**64 once
    reached the database driver and answered 500, see test_huge_ids_are_not_server_errors).
    """
    if isinstance(node, dict):
        if node.get("type") == "integer":
            node.setdefault("maximum", INT64)
            node.setdefault("minimum", -INT64 - 1)
        for v in node.values():
            bound_integers(v)
    elif isinstance(node, list):
        for v in node:
            bound_integers(v)
    return node


SCHEMA = schemathesis.openapi.from_dict(bound_integers(create_app(Settings()).openapi()))
OPERATIONS = {r.ok().label: r.ok() for r in SCHEMA.get_all_operations()}
CHECKS = [
    sc.not_a_server_error,
    sc.response_schema_conformance,
    sc.content_type_conformance,
]


@dataclass
class Admin:
    """An admin and a token; rebuilt when a fuzzed request revoked or deactivated them."""

    world: World
    token: str = ""
    made: int = 0
    problems: list[str] = field(default_factory=list)

    async def renew(self) -> None:
        self.made += 1
        p = await self.world.person(
            f"管理员{self.made}", username=f"fuzzadmin{self.made}", is_admin=True
        )
        _, self.token = await auth_service.create_token(self.world.db, Actor(person=p), "fuzz")
        await self.world.commit()


async def arrange(world: World) -> None:
    """A little organisation, so that small ids in generated paths often hit something real."""
    school = await world.unit("实验学校")
    grade = await world.unit("一年级", "grade", school)
    klass = await world.unit("1班", "class", grade)
    teacher = await world.person("王老师", (klass, "teacher"), username="wang", phone="10000000011")
    student = await world.person("张伟", (klass, "student"), student_number="20260001")
    await world.guardian("张建国", student, klass, "父亲", phone="10000000012")
    await world.person("李娜", (school, "head"), username="lina", email="lina@example.edu")
    assert teacher.id
    await world.commit()


def _request_kwargs(case: Any, token: str) -> dict[str, Any]:
    kw = case.as_transport_kwargs(
        base_url="http://testserver", headers={"authorization": f"Bearer {token}"}
    )
    kw.pop("cookies", None)
    files = kw.get("files")
    if files:  # httpx wants str/bytes for multipart parts
        kw["files"] = [
            (name, (fn, v if isinstance(v, str | bytes) else str(v), *rest))
            for name, (fn, v, *rest) in files
        ]
    if kw.get("data") is None:
        kw.pop("data", None)
    return kw


@pytest.mark.parametrize("label", sorted(OPERATIONS))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
async def test_operation_conforms(label: str, world: World, data: st.DataObject) -> None:
    admin: Admin | None = world.__dict__.get("_fuzz_admin")
    if admin is None:
        await arrange(world)
        admin = Admin(world)
        await admin.renew()
        world.__dict__["_fuzz_admin"] = admin
    case = data.draw(OPERATIONS[label].as_strategy())
    async with make_client(world.app) as client:
        response = await client.request(**_request_kwargs(case, admin.token))
    response.request.read()  # multipart bodies are streamed; schemathesis reads them
    if response.status_code == 401:
        await admin.renew()  # the case revoked our token or deactivated our admin
    if 400 <= response.status_code < 500:
        assert_problem(response)
    case.validate_response(response, checks=CHECKS)


def assert_problem(response: httpx.Response) -> None:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body = response.json()
    assert body["status"] == response.status_code, body
    assert isinstance(body["code"], str) and body["code"], body
    assert isinstance(body["title"], str) and body["title"], body
    assert isinstance(body.get("errors", []), list), body


def test_schema_has_operations() -> None:
    assert len(OPERATIONS) > 20
    assert "GET /api/v1/people" in OPERATIONS


# ---------------------------------------------------------------- bugs the fuzzing found
# Each was a 500 or a schema mismatch found by the test above; fixed in 2785382 and 7323374.


async def _admin_client(world: World) -> httpx.AsyncClient:
    admin = Admin(world)
    await admin.renew()
    c = make_client(world.app)
    c.headers["authorization"] = f"Bearer {admin.token}"
    return c


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/api/v1/units/9223372036854775808", None),
        ("GET", "/api/v1/people/18446744073709551616", None),
        ("POST", "/api/v1/units", {"name": "x", "kind": "school", "parent_id": 2**64}),
    ],
)
async def test_huge_ids_are_not_server_errors(
    world: World, method: str, url: str, body: dict[str, Any] | None
) -> None:
    async with await _admin_client(world) as c:
        r = await c.request(method, url, json=body)
    assert r.status_code < 500, r.text


async def test_group_with_unknown_member_is_not_a_server_error(world: World) -> None:
    async with await _admin_client(world) as c:
        r = await c.post("/api/v1/conversations/groups", json={"name": "x", "member_ids": [424242]})
    assert r.status_code < 500, r.text


def test_problem_answers_are_documented() -> None:
    schema = create_app(Settings()).openapi()
    for path, item in schema["paths"].items():
        for method, op in item.items():
            for status, resp in op.get("responses", {}).items():
                if status.startswith("4"):
                    assert "application/problem+json" in resp.get("content", {}), (
                        method,
                        path,
                        status,
                    )


def test_template_is_documented() -> None:
    op = create_app(Settings()).openapi()["paths"]["/api/v1/imports/template"]["get"]
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx in op["responses"]["200"]["content"]
