"""Work the running hub does on its own, on a timer owned by the app's lifespan: removing
residents' personal data once their council's retention period is over
(hub/actions/privacy.py's purge_expired).

Every process runs it (the purge is idempotent: a second run finds nothing to do), a few
minutes after start and then hourly with jitter, so several processes rarely overlap; a
failure is logged and tried again next time, never raised into a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random

from hub.actions.privacy import purge_expired
from hub.broker import Broker
from hub.events.publish import writing
from hub.models import utcnow
from hub.types import SessionFactory

logger = logging.getLogger(__name__)

# Retention is counted in days: an hourly check removes data at most an hour late.
INTERVAL_S = 3600.0
FIRST_RUN_S = 300.0  # after start: not in the rush of a deploy
JITTER = 0.1


class Housekeeping:
    def __init__(self, sessionmaker: SessionFactory, broker: Broker) -> None:
        self._sessionmaker = sessionmaker
        self._broker = broker
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="council-hub-housekeeping")

    async def run_once(self) -> int:
        async with writing(self._sessionmaker, self._broker) as w:
            purged = await purge_expired(w, utcnow())
        if purged:
            logger.info("retention: removed the personal data of %d submissions", purged)
        return purged

    async def _run(self) -> None:
        delay = FIRST_RUN_S
        while True:
            await asyncio.sleep(delay * random.uniform(1 - JITTER, 1 + JITTER))
            try:
                await self.run_once()
            except Exception:
                logger.exception("retention purge failed; trying again in an hour")
            delay = INTERVAL_S

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
