"""The workbench: `GET /api/v1/workbench` lists the tools a person may use, with counts of what
waits for them, and every tile has its label in both of the web client's languages."""

from __future__ import annotations

import re
from pathlib import Path

from bellwork.jobs.models import Job
from bellwork.tiles import WORKBENCH
from tests.conftest import World

LOCALES = Path(__file__).resolve().parents[1] / "web" / "src" / "i18n" / "locales"


async def test_each_person_sees_the_tools_of_their_role(world: World) -> None:
    admin = await world.person("管理员", username="admin", is_admin=True)
    school = await world.unit("实验小学")
    klass = await world.unit("一年级1班", "class", school)
    head = await world.person("李校长", (school, "head"), username="head")
    teacher = await world.person("王老师", (klass, "teacher"), username="teacher")
    for i in range(2):
        world.db.add(Job(kind="test.fail", state="dead", last_error=f"boom {i}"))
    world.db.add(Job(kind="test.record", state="queued"))

    def tiles(body: dict[str, list[dict[str, object]]]) -> dict[str, dict[str, object]]:
        return {t["key"]: t for t in body["tiles"]}  # type: ignore[misc]

    r = await (await world.login(admin)).get("/api/v1/workbench")
    assert r.status_code == 200, r.text
    seen = tiles(r.json())
    assert list(seen) == [
        "notices.inbox",
        "notices.sent",
        "forms.todo",
        "forms.cases",
        "reports.inbox",
        "approvals.inbox",
        "attendance.today",
        "lessons.live",
        "ding.sent",
        "meetings.list",
        "org.units",
        "org.import",
        "auth.tokens",
        "audit.log",
        "jobs.queue",
        "delivery.log",
    ]
    jobs = {"key": "jobs.queue", "section": "admin", "path": "/jobs", "count": 2}
    assert seen["jobs.queue"] == jobs
    log = {"key": "delivery.log", "section": "admin", "path": "/deliveries", "count": 0}
    assert seen["delivery.log"] == log
    assert seen["org.units"]["count"] is None and seen["org.units"]["section"] == "tools"

    seen = tiles((await (await world.login(head)).get("/api/v1/workbench")).json())
    assert list(seen) == [
        "notices.inbox",
        "notices.sent",
        "forms.todo",
        "forms.cases",
        "reports.inbox",
        "approvals.inbox",
        "attendance.today",
        "lessons.live",
        "ding.sent",
        "meetings.list",
        "org.units",
        "org.import",
        "auth.tokens",
    ]
    seen = tiles((await (await world.login(teacher)).get("/api/v1/workbench")).json())
    assert list(seen) == [
        "notices.inbox",
        "notices.sent",
        "forms.todo",
        "forms.cases",
        "reports.inbox",
        "approvals.inbox",
        "attendance.today",
        "lessons.live",
        "ding.sent",
        "meetings.list",
        "org.units",
        "auth.tokens",
    ]
    ding = {"key": "ding.sent", "section": "tools", "path": "/ding", "count": 0}
    assert seen["ding.sent"] == ding


async def test_the_workbench_needs_a_signed_in_person(world: World) -> None:
    from tests.conftest import make_client

    r = await make_client(world.app).get("/api/v1/workbench")
    assert r.status_code == 401


def test_every_tile_has_a_label_in_both_languages() -> None:
    for name in ("zh-CN.ts", "en-US.ts"):
        text = (LOCALES / name).read_text(encoding="utf-8")
        labels = set(re.findall(r'"workbench\.tile\.([a-z.]+)"', text))
        missing = {t.key for t in WORKBENCH.tiles} - labels
        assert not missing, f"{name} has no label for tiles {sorted(missing)}"
