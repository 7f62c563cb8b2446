"""The scheduled sync of agenda sources, owned by the app's lifespan (hub/services.py): upcoming
meetings are kept in step with their sources, every 15 minutes, and every 2 minutes on a day
the council meets (a late change to tonight's agenda reaches residents' pages in time).

One process syncs when several run: when a source is due it takes or renews the
``agenda-sync`` lease (hub/leadership.py), and keeps renewing it while a sync runs; a process
that does not hold it does nothing. A source that fails as a whole (unreachable, 5xx, an HTML
page, malformed XML) is tried again after an exponential backoff with full jitter
(integrations/backoff.py), and its health (last success, last error in words, next try) is
stored for staff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from hub.actions.agenda_sources import record_sync
from hub.broker import Broker
from hub.events.publish import writing
from hub.leadership import Leadership
from hub.models import Council, utcnow
from hub.queries.agenda_sources import due_sources, meets_today
from hub.secrets import Secrets
from hub.types import SessionFactory
from integrations.agendas import _http
from integrations.agendas.sync import Report, import_range

logger = logging.getLogger(__name__)

LEASE = "agenda-sync"
# Modern.gov and Legistar publish agendas a week ahead and change them rarely: a quarter of an
# hour is soon enough, and ~100 requests an hour to a council's site at most (a GetMeetings and
# a GetMeeting per upcoming meeting). On a meeting's day, late changes matter within minutes.
INTERVAL = timedelta(minutes=15)
MEETING_DAY_INTERVAL = timedelta(minutes=2)
# Upcoming meetings: from yesterday (a meeting that ran late) to three months ahead.
LOOKBACK = timedelta(days=1)
LOOKAHEAD = timedelta(days=90)
# How often a process checks what is due (and renews the lease): well under the 2 minutes.
TICK_S = 15.0
FIRST_TICK_S = 10.0  # after start: not in the rush of a deploy
JITTER = 0.1


class AgendaSync:
    def __init__(
        self,
        sessionmaker: SessionFactory,
        broker: Broker,
        *,
        secrets: Secrets | None = None,
        leadership: Leadership | None = None,
        tick_s: float = TICK_S,
        first_tick_s: float = FIRST_TICK_S,
        rng: random.Random | None = None,
        http_timeout: httpx.Timeout | float = _http.TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._sessionmaker, self._broker = sessionmaker, broker
        self._secrets = secrets or Secrets(())
        self.leadership = leadership or Leadership(sessionmaker, broker, LEASE)
        self.tick_s, self.first_tick_s = tick_s, first_tick_s
        self._rng = rng or random.Random()
        self._http_timeout, self._transport = http_timeout, transport
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="council-hub-agenda-sync")

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def run_once(self, now: datetime | None = None) -> list[Report]:
        """Sync every source that is due, if this process holds the lease; the reports.

        The lease is taken only when something is due: a hub without sources (or between
        syncs) writes nothing every tick (a write each 15 s raced tests' and clerks' own
        SQLite writes for nothing)."""
        async with self._sessionmaker() as session:
            if not await due_sources(session, now or utcnow()):
                return []
        if not await self.leadership.renew():
            return []
        reports: list[Report] = []
        async with self._keeping_the_lease():
            async with self._sessionmaker() as session:
                # Again under the lease: another process may have synced them meanwhile.
                due = await due_sources(session, now or utcnow())
            for source, council in due:
                if not self.leadership.held:
                    break  # lost it (a database error while renewing): another may sync now
                reports.append(await self._sync(source.id, council, now))
        return reports

    async def _sync(self, source_id: int, council: Council, now: datetime | None) -> Report:
        started = now or utcnow()
        today = started.astimezone(ZoneInfo(council.timezone)).date()
        report = await import_range(
            self._sessionmaker,
            self._broker,
            source_id,
            today - LOOKBACK,
            today + LOOKAHEAD,
            secrets=self._secrets,
            http_timeout=self._http_timeout,
            transport=self._transport,
        )
        async with self._sessionmaker() as session:
            busy = await meets_today(session, council, started)
        async with writing(self._sessionmaker, self._broker) as w:
            await record_sync(
                w,
                source_id,
                now=started,
                ok=report.ok,
                error=report.problem(),
                meetings_seen=report.fetched,
                interval=MEETING_DAY_INTERVAL if busy else INTERVAL,
                rng=self._rng,
            )
        if report.ok:
            logger.info(
                "agenda sync %s/%s: %d meetings (%d new, %d updated), %d failed",
                report.council,
                report.source,
                report.fetched,
                report.created,
                report.updated,
                len(report.failures),
            )
        else:
            logger.warning(
                "agenda sync %s/%s failed: %s", report.council, report.source, report.error
            )
        return report

    @contextlib.asynccontextmanager
    async def _keeping_the_lease(self) -> AsyncIterator[None]:
        """Renew the lease while a sync runs (a slow source can take longer than its ttl)."""

        async def keep() -> None:
            while True:
                await asyncio.sleep(self.leadership.renew_every_s)
                await self.leadership.renew()

        task = asyncio.create_task(keep())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        delay = self.first_tick_s
        while True:
            await asyncio.sleep(delay * self._rng.uniform(1 - JITTER, 1 + JITTER))
            try:
                await self.run_once()
            except Exception:
                logger.exception("agenda sync failed; trying again at the next tick")
            delay = self.tick_s

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.leadership.give_up()
