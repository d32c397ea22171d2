"""Rooms go to the least loaded Janus that answers; one that stops answering is skipped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bellwork.config import Settings
from bellwork.media.pool import MediaPool, NoMediaServer
from tests.media.conftest import JANUS, RunningJanus


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningJanus, RunningJanus]]:
    if JANUS is None:
        pytest.skip("janus is not installed (apt-get install janus; scripts/test.sh installs it)")
    a = RunningJanus(tmp_path_factory.mktemp("janus-a"))
    b = RunningJanus(tmp_path_factory.mktemp("janus-b"))
    yield a, b
    a.stop()
    b.stop()


async def test_the_least_loaded_answering_server_is_chosen(
    pair: tuple[RunningJanus, RunningJanus], tmp_path: Path
) -> None:
    a, b = pair
    settings = Settings(
        data_dir=tmp_path, janus_run="never", janus_servers=[a.server("a"), b.server("b")]
    )
    pool = MediaPool(settings)
    try:
        assert await pool.choose() == "a"  # a tie: by name
        assert await pool.choose({"a": 3}) == "b"  # then by the rooms Bellwork placed

        # One participant in a room on a: b is less loaded.
        ca = pool.client("a")
        await ca.create_room(501, secret="s", publishers=2)
        session = await ca.session()
        handle = await session.attach()
        await handle.message({"request": "join", "ptype": "publisher", "room": 501})
        assert await pool.choose({"b": 9}) == "b"
        loads = await pool.loads()
        assert loads["a"] is not None and (loads["a"].participants, loads["a"].rooms) == (1, 1)

        b.stop()  # b stops answering: marked down, not chosen, said in the status
        assert await pool.choose() == "a"
        assert pool.is_down("b")
        states = {s.name: s.state for s in await pool.status()}
        assert states == {"a": "up", "b": "down"}
        await session.destroy()

        a.stop()
        pool._down_until.clear()
        with pytest.raises(NoMediaServer, match="answers"):
            await pool.choose()
    finally:
        await pool.close()


async def test_without_servers_nothing_is_chosen(tmp_path: Path) -> None:
    pool = MediaPool(Settings(data_dir=tmp_path, janus_run="never"))
    assert not pool.configured and pool.specs() == []
    with pytest.raises(NoMediaServer, match="configured"):
        await pool.choose()
