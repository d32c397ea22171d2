"""The periodic audit of open sockets: each node closes (4401) its sockets whose session has
expired or ended, whose token was revoked, or whose person was deactivated since, in case the
close announced on the bus at that moment did not reach it (Redis pub/sub drops what is
published while a node is disconnected) or nothing announced it (a session that expired).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bellwork.auth.service import live_credentials
from bellwork.db.session import unit_of_work

log = logging.getLogger("bellwork.jobs")

EVERY = 300.0  # seconds between two audits


async def audit_once(state: Any) -> int:
    """One audit; returns how many sockets it closed."""
    hub = state.hub
    held = hub.credentials()
    if not held:
        return 0
    async with unit_of_work(state.sessionmaker) as db:
        alive = await live_credentials(db, held)
    ended = hub.end_credentials(held - alive)
    if ended:
        log.info("closed %d socket(s) whose session or token no longer stands", ended)
    return int(ended)


async def socket_audit(app: Any, every: float = EVERY) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await audit_once(app.state)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("socket audit failed; trying again in %.0f s", every)
