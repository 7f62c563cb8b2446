"""The scheduled agenda sync (hub/agenda_sync.py), on SQLite and PostgreSQL, against a local fake
Modern.gov over real HTTP: one process of two syncs; every 15 minutes, every 2 on a meeting's
day; a failing source backs off with full jitter and its health says why; the app's lifespan
owns it."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hub.actions.agenda_sources import add_source
from hub.agenda_sync import AgendaSync
from hub.broker.memory import MemoryBroker
from hub.db import create_engine, create_sessionmaker
from hub.events.publish import writing
from hub.leadership import Leadership
from hub.models import AgendaSource, Lease
from hub.types import SessionFactory
from tests.conftest import settings_for
from tests.integrations.agendas.fakes import FakeApi, sample_text, serve, xml
from tests.support import Seeded, run_server

ASMX = "/mgWebService.asmx"
# A Tuesday morning in February: the sample's Audit Committee meets on 10 February at 10.00.
QUIET_DAY = datetime(2026, 2, 3, 8, 0, tzinfo=UTC)
MEETING_DAY = datetime(2026, 2, 10, 8, 0, tzinfo=UTC)


@dataclass
class Env:
    sessionmaker: SessionFactory
    fake: FakeApi
    source_id: int

    def sync(self, holder: str = "p1") -> AgendaSync:
        broker = MemoryBroker()
        lead = Leadership(self.sessionmaker, broker, "agenda-sync", holder=holder)
        return AgendaSync(self.sessionmaker, broker, leadership=lead, rng=random.Random(1))

    async def source(self) -> AgendaSource:
        async with self.sessionmaker() as session:
            found = await session.get(AgendaSource, self.source_id)
        assert found is not None
        return found


@pytest.fixture
async def env(sessionmaker: SessionFactory, seeded: Seeded) -> AsyncIterator[Env]:
    pages = {
        "4966": xml(sample_text("moderngov-getmeeting-cancelled.xml")),
        "4967": xml(sample_text("moderngov-getmeeting.xml")),
    }
    async with serve() as fake:
        fake.on(f"{ASMX}/GetMeetings", lambda _: xml(sample_text("moderngov-getmeetings.xml")))
        fake.on(f"{ASMX}/GetMeeting", lambda seen: pages[seen.param("lMeetingId") or ""])
        async with writing(sessionmaker, MemoryBroker()) as w:
            source = await add_source(
                w, council_slug="aberglas", name="moderngov", kind="moderngov", url=fake.base_url
            )
        yield Env(sessionmaker, fake, source.id)


async def test_one_process_of_two_syncs(env: Env) -> None:
    first, second = env.sync("p1"), env.sync("p2")
    reports = await asyncio.gather(first.run_once(QUIET_DAY), second.run_once(QUIET_DAY))
    assert sorted(len(r) for r in reports) == [0, 1]
    assert len(env.fake.to(f"{ASMX}/GetMeetings")) == 1
    # The range is upcoming meetings: from yesterday, three months ahead, as Modern.gov dates.
    asked = env.fake.to(f"{ASMX}/GetMeetings")[0]
    assert (asked.param("sFromDate"), asked.param("sToDate")) == ("02/02/2026", "04/05/2026")
    await first.close()
    await second.close()
    async with env.sessionmaker() as session:
        # Given up at shutdown: another process takes over at once, not at expiry.
        assert (await session.execute(select(Lease))).scalars().all() == []


async def test_every_fifteen_minutes_and_every_two_on_a_meeting_day(env: Env) -> None:
    sync = env.sync()
    (report,) = await sync.run_once(QUIET_DAY)
    assert report.ok and report.created == 2
    source = await env.source()
    assert source.next_sync_at == QUIET_DAY + timedelta(minutes=15)
    assert source.last_success_at == QUIET_DAY and source.last_error is None
    assert await sync.run_once(QUIET_DAY + timedelta(minutes=14)) == []  # not due yet
    assert len(env.fake.to(f"{ASMX}/GetMeetings")) == 1
    (report,) = await sync.run_once(MEETING_DAY)
    assert report.unchanged == 2
    assert (await env.source()).next_sync_at == MEETING_DAY + timedelta(minutes=2)
    await sync.close()


async def test_a_failing_source_backs_off_with_jitter_and_says_why(env: Env) -> None:
    env.fake.on(f"{ASMX}/GetMeetings", lambda _: xml("Service Unavailable", 503))
    sync = env.sync()
    now = QUIET_DAY
    waits = []
    for failures in (1, 2, 3):
        (report,) = await sync.run_once(now)
        assert not report.ok
        source = await env.source()
        assert source.failures == failures
        assert source.last_error == "Modern.gov GetMeetings answered HTTP 503 Service Unavailable"
        assert source.next_sync_at is not None
        wait = (source.next_sync_at - now).total_seconds()
        assert 0 <= wait <= 15 * 2 ** (failures - 1)  # full jitter under a doubling ceiling
        waits.append(wait)
        now = source.next_sync_at
    assert len(set(waits)) == 3
    env.fake.on(f"{ASMX}/GetMeetings", lambda _: xml(sample_text("moderngov-getmeetings.xml")))
    (report,) = await sync.run_once(now)
    source = await env.source()
    assert report.ok and source.failures == 0 and source.last_error is None
    await sync.close()


async def test_the_running_app_owns_the_sync(sqlite_url: str, sqlite_seeded: Seeded) -> None:
    async with run_server(settings_for(sqlite_url)) as server:
        sync = server.services.agenda_sync
        assert sync.running
        assert await sync.run_once() == []  # no source: nothing to do, and no lease taken
        assert not sync.leadership.held
    engine = create_engine(sqlite_url)
    try:
        async with create_sessionmaker(engine)() as session:
            # Never taken for nothing (and given up at shutdown when it was).
            assert (await session.execute(select(Lease))).scalars().all() == []
    finally:
        await engine.dispose()
    async with run_server(settings_for(sqlite_url, agenda_sync=False)) as server:
        assert not server.services.agenda_sync.running
