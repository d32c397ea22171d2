"""Who sees whom, whose phone, and who may change what: the policy of bellwork.org.access.

The organisation used throughout:

    教育局 (head HB)
    ├── A校 (head HA, staff SA)
    │   └── 一年级
    │       ├── 1班 (teacher T1; students S1, S2; guardians P1 of S1, P2 of S2)
    │       └── 2班 (teacher T2; student S3; guardian P3 of S3)
    └── Z校 (head HZ)
        └── 1班 (teacher TZ; student SZ)
    云帆科技 → 研发部 (head HD; members M1, M2)
    AD: installation admin with no unit
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import World

ALL = [
    "AD",
    "HB",
    "HA",
    "SA",
    "T1",
    "T2",
    "S1",
    "S2",
    "S3",
    "P1",
    "P2",
    "P3",
    "HZ",
    "TZ",
    "SZ",
    "HD",
    "M1",
    "M2",
]

SEES: dict[str, set[str]] = {
    "AD": set(ALL),
    "HB": set(ALL) - {"AD", "HD", "M1", "M2"},
    "HA": {"HA", "SA", "T1", "T2", "S1", "S2", "S3", "P1", "P2", "P3"},
    "SA": {"HA", "SA"},
    "T1": {"T1", "S1", "S2", "P1", "P2"},
    "S1": {"T1", "S1", "S2", "P1"},
    "P1": {"P1", "T1", "S1"},
    "M1": {"HD", "M1", "M2"},
    "TZ": {"TZ", "SZ"},
}

# (viewer, target) → phone shown?  Students' and guardians' phones are protected.
PHONES: list[tuple[str, str, bool]] = [
    ("T1", "P1", True),
    ("T1", "S1", True),
    ("HA", "P3", True),
    ("HB", "P1", True),
    ("AD", "P2", True),
    ("S1", "T1", True),
    ("S1", "S2", False),
    ("S1", "P1", True),
    ("P1", "T1", True),
    ("P1", "S1", True),
    ("M1", "M2", True),
    ("SA", "HA", True),
]


@pytest.fixture
async def org(world: World) -> dict[str, Any]:
    bureau = await world.unit("教育局", "bureau")
    a = await world.unit("A校", "school", bureau)
    g = await world.unit("一年级", "grade", a)
    k1 = await world.unit("1班", "class", g)
    k2 = await world.unit("2班", "class", g)
    z = await world.unit("Z校", "school", bureau)
    kz = await world.unit("1班", "class", z)
    company = await world.unit("云帆科技", "company")
    dept = await world.unit("研发部", "department", company)
    n = iter(range(1, 100))

    def phone() -> str:
        return f"100000000{next(n):02d}"

    p: dict[str, Any] = {
        "units": {"bureau": bureau, "A": a, "K1": k1, "K2": k2, "Z": z, "KZ": kz, "dept": dept}
    }
    p["AD"] = await world.person("管理员", username="ad", phone=phone(), is_admin=True)
    p["HB"] = await world.person("局长", (bureau, "head"), username="hb", phone=phone())
    p["HA"] = await world.person("A校长", (a, "head"), username="ha", phone=phone())
    p["SA"] = await world.person("A干事", (a, "staff"), username="sa", phone=phone())
    p["T1"] = await world.person("一班老师", (k1, "teacher"), username="t1", phone=phone())
    p["T2"] = await world.person("二班老师", (k2, "teacher"), username="t2", phone=phone())
    p["S1"] = await world.person(
        "学生一", (k1, "student"), username="s1", phone=phone(), student_number="A001"
    )
    p["S2"] = await world.person(
        "学生二", (k1, "student"), username="s2", phone=phone(), student_number="A002"
    )
    p["S3"] = await world.person(
        "学生三", (k2, "student"), username="s3", phone=phone(), student_number="A003"
    )
    p["P1"] = await world.guardian("家长一", p["S1"], k1, username="p1", phone=phone())
    p["P2"] = await world.guardian("家长二", p["S2"], k1, username="p2", phone=phone())
    p["P3"] = await world.guardian("家长三", p["S3"], k2, username="p3", phone=phone())
    p["HZ"] = await world.person("Z校长", (z, "head"), username="hz", phone=phone())
    p["TZ"] = await world.person("Z老师", (kz, "teacher"), username="tz", phone=phone())
    p["SZ"] = await world.person(
        "Z学生", (kz, "student"), username="sz", phone=phone(), student_number="Z001"
    )
    p["HD"] = await world.person("经理", (dept, "head"), username="hd", phone=phone())
    p["M1"] = await world.person("员工一", (dept, "member"), username="m1", phone=phone())
    p["M2"] = await world.person("员工二", (dept, "member"), username="m2", phone=phone())
    await world.commit()
    return p


async def directory(c: httpx.AsyncClient) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 7}
        if cursor:
            params["cursor"] = cursor
        page = (await c.get("/api/v1/people", params=params)).json()
        out.update({x["id"]: x for x in page["items"]})
        cursor = page["next_cursor"]
        if not cursor:
            return out


@pytest.mark.parametrize("viewer", sorted(SEES))
async def test_directory_visibility(world: World, org: dict[str, Any], viewer: str) -> None:
    c = await world.login(org[viewer])
    seen = await directory(c)
    names = {k for k in ALL if org[k].id in seen}
    assert names == SEES[viewer]
    # A person card outside one's view is a 404, exactly like a missing one.
    for k in set(ALL) - SEES[viewer]:
        r = await c.get(f"/api/v1/people/{org[k].id}")
        assert r.status_code == 404, (viewer, k)
    r = await c.get("/api/v1/people/999999")
    assert r.status_code == 404


@pytest.mark.parametrize(("viewer", "target", "shown"), PHONES)
async def test_phone_visibility(
    world: World, org: dict[str, Any], viewer: str, target: str, shown: bool
) -> None:
    c = await world.login(org[viewer])
    card = (await c.get(f"/api/v1/people/{org[target].id}")).json()
    assert (card["phone"] == org[target].phone) is shown
    assert card["phone_hidden"] is (not shown)


_DING: dict[str, Any] = {"client_id": "matrix", "body": "请确认"}
_KZ = {"unit_id": "{KZ}", "roles": ["student"]}

# (actor, method, path template, body, expected status, expected code)
WRITES: list[tuple[str, str, str, dict[str, Any] | None, int, str | None]] = [
    ("T1", "patch", "/api/v1/people/{S1}", {"name": "改名"}, 403, "cannot_manage_person"),
    ("S1", "patch", "/api/v1/people/{T1}", {"name": "改名"}, 403, "cannot_manage_person"),
    ("P1", "patch", "/api/v1/people/{S2}", {"name": "改名"}, 404, "not_found"),
    ("HA", "patch", "/api/v1/people/{S1}", {"name": "改名"}, 200, None),
    ("HA", "patch", "/api/v1/people/{SZ}", {"name": "改名"}, 404, "not_found"),
    ("HB", "patch", "/api/v1/people/{SZ}", {"name": "改名"}, 200, None),
    ("HA", "patch", "/api/v1/people/{S1}", {"is_admin": True}, 403, "admin_only"),
    ("HA", "post", "/api/v1/people/{T1}/reset-password", None, 200, None),
    ("T1", "post", "/api/v1/people/{S1}/reset-password", None, 403, "cannot_manage_person"),
    ("HA", "post", "/api/v1/people/{S1}/deactivate", None, 200, None),
    ("SA", "post", "/api/v1/people/{S1}/deactivate", None, 404, "not_found"),
    (
        "HA",
        "post",
        "/api/v1/people",
        {"name": "新人", "memberships": [{"unit_id": "{Z}", "role": "teacher"}]},
        403,
        "not_head_of_unit",
    ),
    (
        "HA",
        "post",
        "/api/v1/people",
        {"name": "新人", "is_admin": True, "memberships": [{"unit_id": "{K1}", "role": "teacher"}]},
        403,
        "admin_only",
    ),
    ("HA", "post", "/api/v1/people", {"name": "新人"}, 403, "not_head_of_unit"),
    (
        "HA",
        "post",
        "/api/v1/people",
        {"name": "新人", "memberships": [{"unit_id": "{K1}", "role": "teacher"}]},
        201,
        None,
    ),
    (
        "T1",
        "post",
        "/api/v1/units",
        {"name": "3班", "kind": "class", "parent_id": "{K1}"},
        403,
        "not_head_of_unit",
    ),
    (
        "HB",
        "post",
        "/api/v1/units",
        {"name": "3班", "kind": "class", "parent_id": "{K1}"},
        201,
        None,
    ),
    ("HA", "get", "/api/v1/audit", None, 403, "admin_only"),
    ("AD", "get", "/api/v1/audit", None, 200, None),
    (
        "M1",
        "post",
        "/api/v1/people/{M2}/memberships",
        {"unit_id": "{dept}", "role": "head"},
        403,
        "not_head_of_unit",
    ),
    (
        "HD",
        "post",
        "/api/v1/people/{M2}/memberships",
        {"unit_id": "{dept}", "role": "head"},
        201,
        None,
    ),
    # DING (bellwork.ding.service.may_send; recipients: whom the sender may see)
    ("T1", "post", "/api/v1/dings", {**_DING, "people": ["{P2}"]}, 201, None),
    ("SA", "post", "/api/v1/dings", {**_DING, "people": ["{HA}"]}, 201, None),
    ("SA", "post", "/api/v1/dings", {**_DING, "people": ["{S1}"]}, 403, "ding_people_unreachable"),
    ("T1", "post", "/api/v1/dings", {**_DING, "people": ["{SZ}"]}, 403, "ding_people_unreachable"),
    ("S1", "post", "/api/v1/dings", {**_DING, "people": ["{T1}"]}, 403, "ding_not_allowed"),
    ("P1", "post", "/api/v1/dings", {**_DING, "people": ["{T1}"]}, 403, "ding_not_allowed"),
    ("M1", "post", "/api/v1/dings", {**_DING, "people": ["{M2}"]}, 403, "ding_not_allowed"),
    ("T1", "post", "/api/v1/dings", {**_DING, "units": [_KZ]}, 422, "ding_audience_empty"),
    ("HB", "post", "/api/v1/dings", {**_DING, "units": [_KZ]}, 201, None),
    # Unit settings (org/unit_settings.py): admins and heads of the unit (or above).
    ("T1", "get", "/api/v1/units/{K1}/settings", None, 403, "not_head_of_unit"),
    ("HA", "get", "/api/v1/units/{K1}/settings", None, 200, None),
    ("HA", "put", "/api/v1/units/{Z}/settings", {"sms_quota_month": 1}, 403, "not_head_of_unit"),
    ("HA", "put", "/api/v1/units/{A}/settings", {"sms_quota_month": 1}, 200, None),
    ("HB", "put", "/api/v1/units/{K1}/settings", {"ding_senders": ["head"]}, 200, None),
    ("AD", "put", "/api/v1/units/{dept}/settings", {"time_zone": "Asia/Tokyo"}, 200, None),
    ("P1", "get", "/api/v1/units/{K1}/settings", None, 403, "not_head_of_unit"),
]


def _fill(value: Any, org: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        key = value[1:-1]
        obj = org["units"].get(key) or org.get(key)
        return obj.id
    if isinstance(value, dict):
        return {k: _fill(v, org) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, org) for v in value]
    return value


@pytest.mark.parametrize(("actor", "method", "path", "body", "status", "code"), WRITES)
async def test_write_matrix(
    world: World,
    org: dict[str, Any],
    actor: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    status: int,
    code: str | None,
) -> None:
    c = await world.login(org[actor])
    url = path
    for k in ALL:
        url = url.replace("{" + k + "}", str(org[k].id))
    for k, unit in org["units"].items():
        url = url.replace("{" + k + "}", str(unit.id))
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs["json"] = _fill(body, org)
    r = await c.request(method.upper(), url, **kwargs)
    assert r.status_code == status, r.text
    if code:
        assert r.json()["code"] == code
        # Every refusal carries a human reason in the caller's language.
        assert r.json()["title"]


async def test_student_membership_ops_move_guardians_along(
    world: World, org: dict[str, Any]
) -> None:
    """Guardians follow their child: moving S1 from 1班 to 2班 moves P1's membership too."""
    c = await world.login(org["HA"])
    card = (await c.get(f"/api/v1/people/{org['S1'].id}")).json()
    old = next(m for m in card["memberships"] if m["role"] == "student")
    r = await c.post(
        f"/api/v1/people/{org['S1'].id}/memberships",
        json={"unit_id": org["units"]["K2"].id, "role": "student"},
    )
    assert r.status_code == 201
    r = await c.delete(f"/api/v1/memberships/{old['id']}")
    assert r.status_code == 204
    p1 = (await c.get(f"/api/v1/people/{org['P1'].id}")).json()
    assert [(m["unit"]["name"], m["role"]) for m in p1["memberships"]] == [("2班", "guardian")]
    t1 = await world.login(org["T1"])
    assert (await t1.get(f"/api/v1/people/{org['P1'].id}")).status_code == 404
    t2 = await world.login(org["T2"])
    assert (await t2.get(f"/api/v1/people/{org['P1'].id}")).status_code == 200


@pytest.mark.parametrize("viewer", ["T1", "P1", "S1", "M1", "HA"])
async def test_message_from_the_card_matches_opening_a_direct_chat(
    world: World, org: dict[str, Any], viewer: str
) -> None:
    """发消息 on a person's card (`can_message`) is offered exactly where opening the direct
    chat succeeds: everyone one sees, not oneself, not a deactivated account; the people one
    does not see have no card and no chat (404 alike)."""
    from bellwork.db.base import utcnow

    org["M2"].deactivated_at = utcnow()
    await world.commit()
    c = await world.login(org[viewer])
    for k in ALL:
        card = await c.get(f"/api/v1/people/{org[k].id}")
        opened = await c.post("/api/v1/conversations/direct", json={"person_id": org[k].id})
        if k not in SEES[viewer]:
            assert card.status_code == 404 and opened.status_code == 404, (viewer, k)
            continue
        may = card.json()["can_message"]
        assert may is (k != viewer and k != "M2"), (viewer, k)
        assert opened.status_code == (200 if may else 422), (viewer, k, opened.text)
        if not may:
            code = "direct_with_self" if k == viewer else "person_inactive"
            assert opened.json()["code"] == code
