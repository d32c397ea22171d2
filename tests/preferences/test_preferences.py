"""GET/PATCH /api/v1/me/preferences: one's notification settings, kept on the server so they
follow one from device to device, and live to one's other tabs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bellwork.preferences.models import Preferences
from tests.chat.conftest import connect, live  # noqa: F401 - `live` is a fixture
from tests.conftest import World

DEFAULTS = {
    "notifications": True,
    "sound": True,
    "dnd": False,
    "dnd_start": "22:00",
    "dnd_end": "07:00",
    "push_ding": True,
    "push_notice": True,
    "push_mention": True,
    "push_direct": True,
}


async def rows(world: World) -> int:
    return int((await world.db.execute(select(func.count()).select_from(Preferences))).scalar())


async def test_defaults_then_changes_that_stay(world: World) -> None:
    a = await world.person("甲", username="a")
    b = await world.person("乙", username="b")
    ca = await world.login(a)
    cb = await world.login(b)
    r = await ca.get("/api/v1/me/preferences")
    assert r.status_code == 200 and r.json() == DEFAULTS
    assert await rows(world) == 0  # reading writes nothing

    r = await ca.patch("/api/v1/me/preferences", json={"sound": False})
    assert r.status_code == 200 and r.json() == {**DEFAULTS, "sound": False}
    r = await ca.patch(
        "/api/v1/me/preferences", json={"dnd": True, "dnd_start": "23:30", "dnd_end": "7:05"}
    )
    want = {**DEFAULTS, "sound": False, "dnd": True, "dnd_start": "23:30", "dnd_end": "07:05"}
    assert r.json() == want
    # Another device of the same person (a new login) gets them; another person does not.
    again = await world.login(a)
    assert (await again.get("/api/v1/me/preferences")).json() == want
    assert (await cb.get("/api/v1/me/preferences")).json() == DEFAULTS
    # A window within one day is fine too; an empty body changes nothing.
    r = await ca.patch("/api/v1/me/preferences", json={"dnd_start": "12:00", "dnd_end": "14:00"})
    assert r.status_code == 200 and r.json()["dnd_start"] == "12:00"
    r = await ca.patch("/api/v1/me/preferences", json={})
    assert r.status_code == 200 and r.json()["dnd_end"] == "14:00"
    assert await rows(world) == 1


async def test_bad_input_is_refused_with_the_field_named(world: World) -> None:
    a = await world.person("甲", username="a")
    c = await world.login(a)
    await c.patch("/api/v1/me/preferences", json={"dnd_start": "21:00"})
    cases: list[tuple[dict[str, Any], str, str, str]] = [
        ({"dnd_start": "25:00"}, "validation_failed", "dnd_start", "HH:MM"),
        ({"dnd_end": "7pm"}, "validation_failed", "dnd_end", "HH:MM"),
        ({"dnd_end": "07:60"}, "validation_failed", "dnd_end", "HH:MM"),
        ({"dnd_start": ""}, "validation_failed", "dnd_start", "HH:MM"),
        ({"notifications": None}, "validation_failed", "notifications", "true or false"),
        ({"sound": "loud"}, "validation_failed", "sound", "true or false"),
        # An empty window: the field given is named.
        ({"dnd_end": "21:00"}, "dnd_window_empty", "dnd_end", "another time"),
        ({"dnd_start": "07:00"}, "dnd_window_empty", "dnd_start", "another time"),
        ({"dnd_start": "08:00", "dnd_end": "8:00"}, "dnd_window_empty", "dnd_end", "another"),
    ]
    for body, code, field, words in cases:
        r = await c.patch("/api/v1/me/preferences", json=body)
        assert r.status_code == 422, body
        problem = r.json()
        assert problem["code"] == code, body
        assert [e["field"] for e in problem["errors"]] == [field], body
        said = problem["errors"][0].get("message") or problem["title"]
        assert words in said, (body, said)
    # In Chinese too.
    r = await c.patch(
        "/api/v1/me/preferences", json={"dnd_end": "21:00"}, headers={"accept-language": "zh-CN"}
    )
    assert r.json()["title"] == "免打扰的结束时间不能与开始时间相同。"
    r = await c.patch(
        "/api/v1/me/preferences", json={"dnd_end": "9点"}, headers={"accept-language": "zh-CN"}
    )
    assert "HH:MM" in r.json()["errors"][0]["message"]
    # Nothing was written by any of them.
    assert (await c.get("/api/v1/me/preferences")).json() == {**DEFAULTS, "dnd_start": "21:00"}


async def test_only_for_someone_logged_in(world: World, client: Any) -> None:
    assert (await client.get("/api/v1/me/preferences")).status_code == 401
    r = await client.patch("/api/v1/me/preferences", json={"sound": False})
    assert r.status_code in (401, 403)
    assert await rows(world) == 0


async def test_a_change_reaches_ones_other_tabs(world: World, live: str) -> None:  # noqa: F811
    a = await world.person("甲", username="a")
    b = await world.person("乙", username="b")
    tab1 = await world.login(a)
    tab2 = await world.login(a)
    other = await world.login(b)
    async with connect(live, tab2) as mine, connect(live, other) as theirs:
        r = await tab1.patch("/api/v1/me/preferences", json={"notifications": False})
        assert r.status_code == 200
        got = await mine.next("preferences.updated")
        assert got["preferences"] == (await tab2.get("/api/v1/me/preferences")).json()
        assert got["preferences"]["notifications"] is False
        # The same again changes nothing and tells nobody.
        await tab1.patch("/api/v1/me/preferences", json={"notifications": False})
        await mine.nothing()
        await theirs.nothing()
