"""An abnormal check-in alerts at once — by DING — the class teacher and the responders named at
each level above (the school's health officer, the bureau's contact), and its follow-up
(open → contacted → resolved, with notes) is seen up the tree."""

from __future__ import annotations

from sqlalchemy import select

from bellwork.ding.models import Ding, DingMessage
from tests.conftest import World
from tests.forms.test_filling import DAY, GOOD, Clock, clock, open_today
from tests.forms.test_stats import city

__all__ = ["clock"]


async def test_a_fever_dings_the_teacher_and_the_responders_and_is_followed_up(
    world: World, clock: Clock
) -> None:
    s = await city(world)
    teacher1 = await world.person("王老师", (s["c1"], "teacher"), username="wang")
    nurse = await world.person("校医", (s["school"], "staff"), username="nurse")
    contact = await world.person("防疫联络员", (s["bureau"], "staff"), username="contact")
    principal = await world.login(s["principal"])
    official = await world.login(s["official"])
    # The school names its health officer; the bureau its contact (its head sets it).
    r = await principal.put(
        f"/api/v1/forms/units/{s['school'].id}/responders", json={"people": [nurse.id]}
    )
    assert r.status_code == 200 and [p["name"] for p in r.json()["people"]] == ["校医"]
    r = await official.put(
        f"/api/v1/forms/units/{s['bureau'].id}/responders", json={"people": [contact.id]}
    )
    assert r.status_code == 200
    # A teacher cannot set the school's.
    wang = await world.login(teacher1)
    r = await wang.put(f"/api/v1/forms/units/{s['school'].id}/responders", json={"people": []})
    assert r.status_code == 403

    template = (
        await principal.post(
            "/api/v1/forms/templates",
            json={"unit_id": s["school"].id, "name": "晨检", "builtin": "student_health"},
        )
    ).json()
    cid = (
        await principal.post(
            "/api/v1/forms/campaigns",
            json={
                "client_id": "s-1",
                "template_id": template["id"],
                "unit_id": s["school"].id,
                "name": "全校晨检",
                "subject": "student",
                "units": [{"unit_id": s["school"].id, "roles": ["student"]}],
                "schedule": {"kind": "daily", "start": DAY.isoformat()},
            },
        )
    ).json()["id"]
    await open_today(world, cid)
    kid = s["kids1"][1]
    c = await world.login(kid)
    body = {
        "client_id": "x",
        "subject_id": kid.id,
        "version": 1,
        "answers": {**GOOD, "temperature": 38.5},
    }
    r = await c.post(f"/api/v1/forms/campaigns/{cid}/submissions", json=body)
    assert r.status_code == 201 and r.json()["abnormal"]
    # One DING, from nobody, to the class teacher, the school's and the bureau's responders.
    msg = (await world.db.execute(select(DingMessage))).scalar_one()
    asked = dict((await world.db.execute(select(Ding.recipient_id, Ding.unit_id))).all())
    await world.db.commit()
    assert msg.sender_id is None and msg.sent_at is not None
    assert msg.body.startswith("异常：一年级 / 1班 一班1，全校晨检：体温 ≥ 37.3 °C")
    assert asked == {teacher1.id: s["c1"].id, nurse.id: s["school"].id, contact.id: s["bureau"].id}
    # The teacher sees the alert as a DING to confirm.
    pending = (await wang.get("/api/v1/dings/pending")).json()
    assert [(p["sender"], p["body"][:3]) for p in pending] == [(None, "异常：")]
    # A change that stays abnormal does not alert again.
    body = {**body, "client_id": "y", "answers": {**GOOD, "temperature": 38.9}}
    assert (
        await c.post(f"/api/v1/forms/campaigns/{cid}/submissions", json=body)
    ).status_code == 201
    assert (await world.db.execute(select(DingMessage.id))).scalars().all() == [msg.id]
    await world.db.commit()

    # The case, followed up by the teacher, seen by the school.
    cases = (await wang.get("/api/v1/forms/cases", params={"unit_id": s["c1"].id})).json()
    assert [(x["subject"]["name"], x["state"], x["reasons"]) for x in cases] == [
        ("一班1", "open", ["Temperature ≥ 37.3 °C"])
    ]
    case_id = cases[0]["id"]
    # Filtered by collection: this one's, none of another's.
    mine = {"unit_id": s["c1"].id, "campaign_id": cid}
    assert [x["id"] for x in (await wang.get("/api/v1/forms/cases", params=mine)).json()] == [
        case_id
    ]
    other = {"unit_id": s["c1"].id, "campaign_id": cid + 1000}
    assert (await wang.get("/api/v1/forms/cases", params=other)).json() == []
    # The open case is a badge on the teacher's and the principal's workbench, not the bureau's
    # (which sees no names here) nor another class's teacher's.
    li = await world.login(s["teacher2"])
    for who, n in ((wang, 1), (principal, 1), (official, 0), (li, 0)):
        tiles = {t["key"]: t for t in (await who.get("/api/v1/workbench")).json()["tiles"]}
        assert tiles["forms.cases"]["count"] == n
    r = await wang.post(
        f"/api/v1/forms/cases/{case_id}/notes",
        json={"state": "contacted", "body": "已电话联系家长，已去医院"},
    )
    assert r.status_code == 201 and r.json()["state"] == "contacted"
    tiles = {t["key"]: t for t in (await wang.get("/api/v1/workbench")).json()["tiles"]}
    assert tiles["forms.cases"]["count"] == 0
    r = await principal.post(f"/api/v1/forms/cases/{case_id}/notes", json={})
    assert r.status_code == 422 and r.json()["errors"] == [{"field": "body"}]
    r = await principal.post(
        f"/api/v1/forms/cases/{case_id}/notes", json={"state": "resolved", "body": "已退烧"}
    )
    assert r.json()["state"] == "resolved"
    notes = (await principal.get(f"/api/v1/forms/cases/{case_id}/notes")).json()
    assert [(n["author"]["name"], n["state"]) for n in notes] == [
        ("王老师", "contacted"),
        ("校长", "resolved"),
    ]
    school_cases = (
        await principal.get(
            "/api/v1/forms/cases", params={"unit_id": s["school"].id, "state": "resolved"}
        )
    ).json()
    assert [x["id"] for x in school_cases] == [case_id]
    # The bureau sees no names unless it allows itself to; another class's teacher sees none.
    r = await official.get("/api/v1/forms/cases", params={"unit_id": s["bureau"].id})
    assert r.status_code == 403
    assert (await li.get(f"/api/v1/forms/cases/{case_id}/notes")).status_code == 404
