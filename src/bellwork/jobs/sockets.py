"""The periodic audit of open sockets: each node closes (4401) its sockets whose session has
expired or ended, whose token was revoked, or whose person was deactivated since, in case the
close announced on the bus at that moment did not reach it (Redis pub/sub drops what is
published while a node is disconnected) or nothing announced it (a session that expired).

This is a timer of the node, not a job in the job table, and stays one on purpose: it audits
the sockets held in this process's memory (its hub), so it must run on every app node, on that
node, while that node lives. A job row runs once on whichever runner claims it (another node,
or a `bellwork worker` that has no sockets at all); a row per node would outlive nodes that
come and go. Nothing is lost if a node dies: its sockets die with it. So there is nothing
durable to keep, and a node-local loop is the honest shape.
"""

from __future__ import annotations

import asyncio
import logging

from bellwork.auth.service import live_credentials
from bellwork.db.session import unit_of_work
from bellwork.realtime.hub import Hub
from bellwork.runtime import Runtime

log = logging.getLogger("bellwork.jobs")

EVERY = 300.0  # seconds between two audits


async def audit_once(runtime: Runtime, hub: Hub) -> int:
    """One audit of `hub`'s sockets; returns how many it closed."""
    held = hub.credentials()
    if not held:
        return 0
    async with unit_of_work(runtime.sessionmaker) as db:
        alive = await live_credentials(db, held)
    ended = hub.end_credentials(held - alive)
    if ended:
        log.info("closed %d socket(s) whose session or token no longer stands", ended)
    return int(ended)


async def socket_audit(runtime: Runtime, hub: Hub, every: float = EVERY) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await audit_once(runtime, hub)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("socket audit failed; trying again in %.0f s", every)
