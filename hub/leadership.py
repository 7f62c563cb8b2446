"""Holding a lease from a background loop (hub/actions/leases.py): which of several processes
runs a job only one may run (polling social sources, syncing agenda sources).

The holder renews every ``ttl / 3``; if it dies, another process finds the lease expired within
``ttl`` and takes over. A database error while renewing counts as not holding it: the loop does
nothing that round rather than risk two processes polling.
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta

from hub.actions.leases import claim, release
from hub.broker import Broker
from hub.events.publish import writing
from hub.models import utcnow
from hub.types import SessionFactory

logger = logging.getLogger(__name__)

# Taken over within a minute of its holder dying, renewed every 15 s by a live holder.
DEFAULT_TTL = timedelta(seconds=45)


def process_id() -> str:
    """This process's holder name: its pid (for an operator reading the table) and a random part
    (pids repeat across machines and restarts). Never an address."""
    return f"{os.getpid()}-{secrets.token_hex(6)}"


class Leadership:
    def __init__(
        self,
        sessionmaker: SessionFactory,
        broker: Broker,
        name: str,
        holder: str | None = None,
        ttl: timedelta = DEFAULT_TTL,
    ) -> None:
        self._sessionmaker, self._broker = sessionmaker, broker
        self.name = name
        self.holder = holder or process_id()
        self.ttl = ttl
        self.held = False

    @property
    def renew_every_s(self) -> float:
        return self.ttl.total_seconds() / 3

    async def renew(self) -> bool:
        """Take or keep the lease; True while this process holds it."""
        try:
            async with writing(self._sessionmaker, self._broker) as w:
                held = await claim(w, self.name, self.holder, self.ttl, utcnow())
        except Exception:
            logger.exception("could not renew the lease %s; not acting this round", self.name)
            held = False
        if held != self.held:
            logger.info("lease %s %s", self.name, "taken" if held else "lost")
        self.held = held
        return held

    async def give_up(self) -> None:
        if not self.held:
            return
        self.held = False
        try:
            async with writing(self._sessionmaker, self._broker) as w:
                await release(w, self.name, self.holder)
        except Exception:
            logger.exception("could not release the lease %s; it expires by itself", self.name)
