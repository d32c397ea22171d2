"""A ringing call reaches the callee's devices with no page open by Web Push (urgent, and
worthless after the ringing time), and is taken off them once answered."""

from __future__ import annotations

from bellwork.config import Settings
from bellwork.jobs.runner import run_due
from bellwork.runtime import Runtime
from tests.calls.test_calls import _world
from tests.media.conftest import RunningJanus, media_app
from tests.push.push_server import PushServer
from tests.push.test_push import at, subscribe


async def test_a_call_rings_on_the_phone_and_stops_once_answered(
    migrated: str, settings: Settings, janus: RunningJanus
) -> None:
    pushsrv = PushServer()
    await pushsrv.start()
    try:
        async with media_app(
            migrated,
            settings,
            janus_run="never",
            janus_servers=[janus.server("sfu")],
            push_hosts="127.0.0.1",
            push_timeout=1.0,
            vapid_subject=None,
        ) as app:
            rt: Runtime = app.state.runtime
            if rt.runner is not None:
                await rt.runner.stop()
                rt.runner = None
            p = await _world(app)
            phone = await subscribe(p["t"], pushsrv, lang="zh-CN")
            r = await p["a"].post("/api/v1/calls", json={"person_id": p["ids"]["t"], "video": True})
            cid = r.json()["id"]
            await run_due(rt, clock=lambda: at(1))
            (ring,) = pushsrv.to(phone["endpoint"])
            assert ring.payload == {
                "type": "call",
                "title": "Ann邀请您通话",
                "body": "视频通话",
                "url": f"/chat/{r.json()['conversation_id']}",
                "tag": f"bw-call-{cid}",
            }
            assert (ring.headers["Urgency"], ring.headers["TTL"]) == ("high", "45")

            r = await p["t"].post(f"/api/v1/calls/{cid}/accept", json={"device": "phone"})
            assert r.status_code == 200, r.text
            await run_due(rt, clock=lambda: at(2))
            close = pushsrv.to(phone["endpoint"])[-1].payload
            assert (close["type"], close["tag"]) == ("close", f"bw-call-{cid}")
    finally:
        await pushsrv.stop()
