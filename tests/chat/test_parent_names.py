"""Guardians shown as their child's parent (王军杰妈妈): in member lists, message senders,
mentions and direct chats; in a class group with the child of that class; a teacher who is also a
parent stays a teacher."""

from __future__ import annotations

from typing import Any

from tests.chat.conftest import cmid
from tests.conftest import World


async def test_guardians_appear_as_parents_of_the_child_of_this_class(world: World) -> None:
    school = await world.unit("实验小学")
    grade = await world.unit("一年级", "grade", school)
    one = await world.unit("1班", "class", grade)
    two = await world.unit("2班", "class", grade)
    teacher = await world.person("王老师", (one, "teacher"), (two, "teacher"), username="t")
    junjie = await world.person("王军杰", (one, "student"))
    xiaomei = await world.person("王小美", (two, "student"))
    mum = await world.guardian("李娟", xiaomei, two, relation="母亲", username="mum")
    world.db.add_all([])
    from bellwork.org.models import GuardianLink, Membership

    world.db.add(GuardianLink(guardian_id=mum.id, student_id=junjie.id, relation="母亲"))
    world.db.add(Membership(person_id=mum.id, unit_id=one.id, role="guardian"))
    # A teacher of the school whose child is in class 1: still shown as herself.
    colleague = await world.person("赵老师", (two, "teacher"), username="zhao")
    world.db.add(GuardianLink(guardian_id=colleague.id, student_id=junjie.id, relation="父亲"))
    world.db.add(Membership(person_id=colleague.id, unit_id=one.id, role="guardian"))
    t = await world.login(teacher)
    m = await world.login(mum)

    def label(ref: dict[str, Any]) -> tuple[str, str | None] | None:
        p = ref.get("parent_of")
        return (p["student_name"], p["relation"]) if p else None

    g1 = (await t.get(f"/api/v1/units/{one.id}/group")).json()
    g2 = (await t.get(f"/api/v1/units/{two.id}/group")).json()
    members = (await t.get(f"/api/v1/conversations/{g1['id']}/members")).json()
    shown = {x["person"]["name"]: label(x["person"]) for x in members}
    assert shown["李娟"] == ("王军杰", "母亲")  # in class 1 the mother of class 1's child
    assert shown["王老师"] is None and shown["赵老师"] is None
    members = (await t.get(f"/api/v1/conversations/{g2['id']}/members")).json()
    assert {x["person"]["name"]: label(x["person"]) for x in members}["李娟"] == (
        "王小美",
        "母亲",
    )

    # Her message in class 1's group, as everyone sees its sender.
    r = await m.post(
        f"/api/v1/conversations/{g1['id']}/messages", json={"client_msg_id": cmid(), "body": "好的"}
    )
    assert r.status_code == 201 and label(r.json()["sender"]) == ("王军杰", "母亲")
    page = (await t.get(f"/api/v1/conversations/{g1['id']}/messages")).json()
    assert label(page["items"][-1]["sender"]) == ("王军杰", "母亲")

    # The read receipt's lists show names under each class (labelling 3,000 guardians there
    # needs a stored label first: docs/chat.md).

    # A direct chat with her: the teacher sees her as a parent too.
    d = (await t.post("/api/v1/conversations/direct", json={"person_id": mum.id})).json()
    assert label(d["peer"]) is not None
