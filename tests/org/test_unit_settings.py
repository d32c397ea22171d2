"""A unit's settings over the API (org/unit_settings.py): what it sets, what holds for it and
where that comes from; setting, clearing (inheriting again), validation errors that name the
field and leave everything as it was, and the audit log."""

from __future__ import annotations

from typing import Any

from tests.conftest import World


async def tree(world: World) -> dict[str, Any]:
    bureau = await world.unit("教育局", "bureau")
    school = await world.unit("实验小学", "school", bureau)
    klass = await world.unit("1班", "class", school)
    head = await world.person("校长", (school, "head"), username="head")
    admin = await world.person("管理员", username="admin", is_admin=True)
    await world.commit()
    return {"bureau": bureau, "school": school, "klass": klass, "head": head, "admin": admin}


async def test_inherited_values_say_where_they_come_from(world: World) -> None:
    org = await tree(world)
    org["bureau"].settings = {"sms_quota_month": 5000, "time_zone": "Asia/Urumqi"}
    await world.commit()
    h = await world.login(org["head"])
    r = await h.get(f"/api/v1/units/{org['klass'].id}/settings")
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["own"] == {
        "time_zone": None,
        "ding_senders": None,
        "sms_quota_month": None,
        "voice_quota_month": None,
        "ding_escalation": None,
        "form_retention_days": None,
        "form_names_above_school": None,
    }
    assert s["effective"]["form_retention_days"] == 30  # the default
    assert s["effective"]["sms_quota_month"] == 5000
    assert s["effective"]["time_zone"] == "Asia/Urumqi"
    assert s["sources"]["sms_quota_month"] == {"unit_id": org["bureau"].id, "unit_name": "教育局"}
    assert s["effective"]["ding_senders"] == ["head", "teacher", "staff"]  # the default
    assert s["sources"]["ding_senders"] is None
    assert s["effective"]["ding_escalation"] is None

    policy = {"after_minutes": 15, "channels": ["sms", "voice"]}
    r = await h.put(
        f"/api/v1/units/{org['school'].id}/settings",
        json={"ding_escalation": policy, "sms_quota_month": 800, "ding_senders": ["head"]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["own"]["ding_escalation"] == policy
    s = (await h.get(f"/api/v1/units/{org['klass'].id}/settings")).json()
    assert s["effective"]["sms_quota_month"] == 800
    assert s["sources"]["sms_quota_month"]["unit_name"] == "实验小学"
    assert s["effective"]["ding_escalation"] == policy
    assert s["effective"]["ding_senders"] == ["head"]

    # null clears the school's own value: the bureau's holds again; others stay as they were.
    r = await h.put(f"/api/v1/units/{org['school'].id}/settings", json={"sms_quota_month": None})
    assert r.json()["own"]["sms_quota_month"] is None
    assert r.json()["effective"]["sms_quota_month"] == 5000
    assert r.json()["own"]["ding_escalation"] == policy

    a = await world.login(org["admin"])
    audit = (await a.get("/api/v1/audit", params={"action": "unit.settings"})).json()["items"]
    assert len(audit) == 2
    latest = audit[0]
    assert latest["target"]["id"] == org["school"].id
    assert [(c["field"], c["before"]["text"], c["after"]["text"]) for c in latest["changes"]] == [
        ("sms_quota_month", "800", "—")
    ]


async def test_invalid_settings_name_the_field_and_change_nothing(world: World) -> None:
    org = await tree(world)
    h = await world.login(org["head"])
    url = f"/api/v1/units/{org['school'].id}/settings"
    bad = [
        (
            {"ding_escalation": {"after_minutes": 0, "channels": ["sms"]}},
            "ding_escalation.after_minutes",
        ),
        (  # (no channels at all is valid: no escalation below a unit that has one)
            {"ding_escalation": {"after_minutes": 10, "channels": ["sms"] * 6}},
            "ding_escalation.channels",
        ),
        (
            {"ding_escalation": {"after_minutes": 10, "channels": ["fax"]}},
            "ding_escalation.channels.0",
        ),
        ({"ding_escalation": {"channels": ["sms"]}}, "ding_escalation.after_minutes"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"sms_quota_month": -1}, "sms_quota_month"),
        ({"ding_senders": []}, "ding_senders"),
        ({"ding_senders": ["king"]}, "ding_senders.0"),
    ]
    for body, field in bad:
        r = await h.put(url, json=body, headers={"accept-language": "en"})
        assert r.status_code == 422, (body, r.text)
        assert [e["field"] for e in r.json()["errors"]] == [field], r.json()
    r = await h.put(url, json={"time_zone": "Mars/Olympus"}, headers={"accept-language": "zh-CN"})
    assert r.json()["errors"][0]["message"] == "未知的时区，请使用 IANA 名称，例如 Asia/Shanghai。"
    s = (await h.get(url)).json()
    assert all(v is None for v in s["own"].values())
    a = await world.login(org["admin"])
    audit = (await a.get("/api/v1/audit", params={"action": "unit.settings"})).json()["items"]
    assert audit == []


async def test_a_value_written_by_hand_that_is_not_valid_reads_as_the_default(world: World) -> None:
    org = await tree(world)
    org["bureau"].settings = {"sms_quota_month": 100}
    org["school"].settings = {"sms_quota_month": "lots", "ding_escalation": {"x": 1}}
    await world.commit()
    h = await world.login(org["head"])
    s = (await h.get(f"/api/v1/units/{org['school'].id}/settings")).json()
    assert s["own"]["sms_quota_month"] is None
    assert s["effective"]["ding_escalation"] is None
    assert s["sources"]["ding_escalation"] is None
