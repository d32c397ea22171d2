"""The flow engine on its own (approvals/flow.py): conditions on answers, approvers by rule
(direct manager, a head N levels up, a named role, named people, the class teacher), the
submitter left out, and the built-in flows' shape."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bellwork.approvals.builtin import BUILTINS, builtin, builtin_flow
from bellwork.approvals.flow import ApproverRule, FlowCondition, FlowSpec, holds, plan, resolve
from tests.approvals.conftest import org
from tests.conftest import World


def test_conditions_compare_numbers_choices_and_missing_answers() -> None:
    big = FlowCondition(field="amount", op="gt", value=5000)
    assert holds(big, {"amount": 5000.01}) and holds(big, {"amount": "6000"})
    assert not holds(big, {"amount": 5000}) and not holds(big, {})
    assert not holds(big, {"amount": "lots"})
    assert holds(FlowCondition(field="amount", op="le", value=5000), {"amount": 5000})
    kind = FlowCondition(field="leave_type", op="in", value=["sick", "personal"])
    assert holds(kind, {"leave_type": "sick"}) and not holds(kind, {"leave_type": "annual"})
    assert holds(FlowCondition(field="n", op="eq", value=3), {"n": 3.0})
    assert holds(FlowCondition(field="t", op="ne", value="x"), {})


def test_a_rule_must_say_enough() -> None:
    with pytest.raises(ValidationError):
        ApproverRule(kind="role", role="head")
    with pytest.raises(ValidationError):
        ApproverRule(kind="people")
    with pytest.raises(ValidationError):
        FlowSpec.model_validate({"steps": []})


def test_every_builtin_is_a_valid_form_and_flow() -> None:
    for key in BUILTINS:
        fields = {f.key for f in builtin(key).fields}
        flow = builtin_flow(key, 7)
        for step in flow.steps:
            assert all(c.field in fields for c in step.when)
            if step.approvers.kind == "role":
                assert step.approvers.unit_id == 7


async def test_rules_name_the_right_people(world: World) -> None:
    t = await org(world)
    db = world.db
    alice, manager = t["alice"].id, t["manager"].id
    assert await resolve(db, ApproverRule(kind="manager"), alice, alice) == sorted(
        [manager, t["deputy"].id]
    )
    # A head's own manager is the head above.
    assert await resolve(db, ApproverRule(kind="manager"), manager, manager) == [t["deputy"].id]
    assert await resolve(db, ApproverRule(kind="unit_head", levels=1), alice, alice) == [
        t["boss"].id
    ]
    assert await resolve(db, ApproverRule(kind="unit_head", levels=5), alice, alice) == []
    rule = ApproverRule(kind="role", role="head", unit_id=t["finance"].id)
    assert await resolve(db, rule, alice, alice) == [t["cfo"].id]
    named = ApproverRule(kind="people", people=[t["bob"].id, t["cfo"].id, t["bob"].id])
    assert await resolve(db, named, alice, alice) == [t["bob"].id, t["cfo"].id]
    # The class teacher is the teacher titled 班主任, not every teacher of the class.
    teacher = ApproverRule(kind="class_teacher")
    assert await resolve(db, teacher, t["mum"].id, t["kid"].id) == [t["teacher"].id]


async def test_plan_applies_conditions_and_leaves_the_submitter_out(world: World) -> None:
    t = await org(world)
    flow = FlowSpec.model_validate(
        {
            "steps": [
                {"name": "主管", "approvers": {"kind": "unit_head"}, "mode": "all"},
                {
                    "name": "财务",
                    "approvers": {"kind": "role", "role": "head", "unit_id": t["finance"].id},
                    "when": [{"field": "amount", "op": "gt", "value": 5000}],
                },
            ],
            "cc": [{"kind": "people", "people": [t["bob"].id, t["alice"].id]}],
        }
    )
    small, cc = await plan(world.db, flow, {"amount": 300}, t["alice"].id, t["alice"].id)
    assert [s.name for s in small] == ["主管"] and small[0].mode == "all"
    assert cc == [t["bob"].id]  # the submitter is not copied their own request
    big, _ = await plan(world.db, flow, {"amount": 8000}, t["alice"].id, t["alice"].id)
    assert [s.approvers for s in big] == [sorted([t["manager"].id, t["deputy"].id]), [t["cfo"].id]]
    own, _ = await plan(world.db, flow, {"amount": 1}, t["manager"].id, t["manager"].id)
    assert own[0].approvers == [t["deputy"].id]
