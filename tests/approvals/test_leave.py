"""`approvals.leave.approved_leave`, the function attendance reads: a person's approved leave
over a date range — only approved requests of a leave kind, whoever filed them (a guardian for
their child), overlapping the range at either end."""

from __future__ import annotations

from datetime import date
from typing import Any

from bellwork.approvals.leave import approved_leave
from bellwork.approvals.models import ApprovalFlow, ApprovalRequest, ApprovalTemplate
from bellwork.attendance.leave import leave_days as attendance_leave
from bellwork.forms.models import FormTemplate
from tests.conftest import World


async def _template(world: World, unit_id: int, kind: str) -> ApprovalTemplate:
    ft = FormTemplate(unit_id=unit_id, name=kind, purpose="approval")
    world.db.add(ft)
    await world.db.flush()
    at = ApprovalTemplate(form_template_id=ft.id, unit_id=unit_id, kind=kind)
    world.db.add(at)
    await world.db.flush()
    world.db.add(ApprovalFlow(template_id=at.id, version=1, flow={}))
    return at


async def test_approved_leave_over_a_range(world: World) -> None:
    company = await world.unit("公司", "company")
    alice = await world.person("李丽", (company, "staff"), username="alice")
    bob = await world.person("王波", (company, "staff"), username="bob")
    leave = await _template(world, company.id, "leave")
    expense = await _template(world, company.id, "expense")
    n = 0

    def add(at: ApprovalTemplate, who: int, status: str, first: str, last: str, **a: Any) -> int:
        nonlocal n
        n += 1
        req = ApprovalRequest(
            template_id=at.id,
            form_version=1,
            flow_version=1,
            submitter_id=who,
            subject_id=who,
            client_id=f"c{n}",
            title="x",
            answers={"leave_type": "annual", **a},
            status=status,
            starts_on=date.fromisoformat(first),
            ends_on=date.fromisoformat(last),
        )
        world.db.add(req)
        return n

    add(leave, alice.id, "approved", "2026-12-01", "2026-12-03")
    add(leave, alice.id, "approved", "2026-12-10", "2026-12-10", leave_type="sick")
    add(leave, alice.id, "pending", "2026-12-04", "2026-12-04")
    add(leave, alice.id, "rejected", "2026-12-05", "2026-12-05")
    add(leave, alice.id, "withdrawn", "2026-12-06", "2026-12-06")
    add(expense, alice.id, "approved", "2026-12-07", "2026-12-07")
    add(leave, bob.id, "approved", "2026-12-02", "2026-12-02")
    await world.db.flush()

    got = await approved_leave(world.db, alice.id, date(2026, 12, 3), date(2026, 12, 10))
    assert [(x.starts_on.day, x.ends_on.day, x.leave_type) for x in got] == [
        (1, 3, "annual"),
        (10, 10, "sick"),
    ]
    assert await approved_leave(world.db, alice.id, date(2026, 12, 4), date(2026, 12, 9)) == []
    whole = await approved_leave(world.db, alice.id, date(2026, 11, 1), date(2026, 12, 31))
    assert len(whole) == 2
    assert [
        x.starts_on.day
        for x in await approved_leave(world.db, bob.id, date(2026, 12, 2), date(2026, 12, 2))
    ] == [2]
    # Attendance asks its leave sources (bellwork/wiring.py plugs approvals in when the app's
    # runtime opens): the approved leave-kind days in the range, for everyone asked at once.
    days = await attendance_leave(
        world.db, [alice.id, bob.id], date(2026, 12, 2), date(2026, 12, 10)
    )
    assert sorted((p, d.day) for p, d in days) == sorted(
        [(alice.id, 2), (alice.id, 3), (alice.id, 10), (bob.id, 2)]
    )
