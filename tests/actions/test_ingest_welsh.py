"""Welsh titles imported (hub/actions/ingest.py from a Modern.gov source with its Welsh site),
on SQLite and PostgreSQL, over real HTTP to a local fake serving the real samples and their
Welsh version: stored and carried in the public shapes; re-imports idempotent; a change at the
source reaching a live meeting's page as events (snapshot + events = snapshot); a clerk's own
Welsh kept; a Welsh site that fails never erasing the Welsh already stored."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.actions._locks import Actor
from hub.actions.agenda_edit import edit_item, edit_meeting
from hub.actions.agenda_sources import add_source
from hub.actions.meetings import change_meeting_status
from hub.broker.memory import MemoryBroker
from hub.events import log as event_log
from hub.events.apply import apply
from hub.events.publish import writing
from hub.events.schema import Audience
from hub.models import AgendaItem, Meeting, MeetingEvent
from hub.queries.meetings import load_items, snapshot
from integrations.agendas.sync import Report, import_range
from tests.integrations.agendas.fakes import sample_text, serve, xml
from tests.integrations.agendas.welsh import COMMITTEES_CY, MEETING_CY, WELSH_PREFIX
from tests.support import Seeded

ASMX = "/mgWebService.asmx"
CLERK = Actor(1, "Clerk")
FROM, TO = date(2026, 1, 1), date(2026, 12, 31)


@dataclass
class Env:
    sessionmaker: async_sessionmaker[AsyncSession]
    broker: MemoryBroker
    source_id: int
    pages: dict[str, Any]

    async def run(self) -> Report:
        return await import_range(self.sessionmaker, self.broker, self.source_id, FROM, TO)

    async def meeting(self) -> Meeting:
        async with self.sessionmaker() as session:
            found = await session.scalar(select(Meeting).where(Meeting.external_id == "4967"))
        assert found is not None
        return found

    async def items(self, meeting_id: int) -> list[AgendaItem]:
        async with self.sessionmaker() as session:
            return await load_items(session, meeting_id)

    async def snapshot(self, meeting_id: int) -> dict[str, Any]:
        async with self.sessionmaker() as session:
            snap = await snapshot(session, meeting_id)
        assert snap is not None
        return snap

    async def public_events_after(self, meeting_id: int, seq: int) -> list[dict[str, Any]]:
        async with self.sessionmaker() as session:
            logged = await event_log.replay(
                session, meeting_id, seq, audiences=frozenset({Audience.PUBLIC}), limit=100
            )
        return [json.loads(e.envelope) for e in logged]


@pytest.fixture
async def env(sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded) -> AsyncIterator[Env]:
    broker = MemoryBroker()
    pages: dict[str, Any] = {
        "listing": sample_text("moderngov-getmeetings.xml"),
        "4966": sample_text("moderngov-getmeeting-cancelled.xml"),
        "4967": sample_text("moderngov-getmeeting.xml"),
        "cy": MEETING_CY,
        "cy_status": 200,
    }
    async with serve() as fake:
        fake.on(f"{ASMX}/GetMeetings", lambda _: xml(pages["listing"]))
        fake.on(f"{ASMX}/GetMeeting", lambda seen: xml(pages[seen.param("lMeetingId") or ""]))
        fake.on(
            f"{WELSH_PREFIX}{ASMX}/GetCommittees",
            lambda _: xml(COMMITTEES_CY, status=pages["cy_status"]),
        )
        # The Welsh site's cancelled meeting is the English one (no titles to translate).
        fake.on(
            f"{WELSH_PREFIX}{ASMX}/GetMeeting",
            lambda seen: xml(
                pages["cy"] if seen.param("lMeetingId") == "4967" else pages["4966"],
                status=pages["cy_status"],
            ),
        )
        async with writing(sessionmaker, broker) as w:
            source = await add_source(
                w,
                council_slug="aberglas",
                name="moderngov",
                kind="moderngov",
                url=fake.base_url,
                welsh_url=fake.base_url + WELSH_PREFIX,
            )
        yield Env(sessionmaker, broker, source.id, pages)


async def test_welsh_titles_are_stored_shown_and_reimported_idempotently(env: Env) -> None:
    first = await env.run()
    assert first.failures == [] and first.created == 2
    meeting = await env.meeting()
    assert (meeting.title, meeting.title_cy) == ("Audit Committee", "Pwyllgor Archwilio")
    items = await env.items(meeting.id)
    assert [(i.title, i.title_cy) for i in items] == [
        ("Minutes", "Cofnodion"),
        ("Work Programme", "Rhaglen Waith"),
    ]
    assert items[1].description_cy == "Adroddiad yr Uned Cymorth Llywodraethu a Chraffu, ynghlwm."
    snap = await env.snapshot(meeting.id)
    assert snap["meeting"]["title"] == "Audit Committee"  # the English stays where it was
    assert snap["meeting"]["title_cy"] == "Pwyllgor Archwilio"
    assert [(i["title"], i["title_cy"]) for i in snap["items"]] == [
        ("Minutes", "Cofnodion"),
        ("Work Programme", "Rhaglen Waith"),
    ]
    again = await env.run()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    async with env.sessionmaker() as session:
        assert await session.scalar(select(func.count(MeetingEvent.seq))) == 0


async def test_a_failing_welsh_site_keeps_the_welsh_already_stored(env: Env) -> None:
    await env.run()
    env.pages["cy_status"] = 503
    report = await env.run()
    assert report.failures == [] and report.unchanged == 2
    meeting = await env.meeting()
    assert meeting.title_cy == "Pwyllgor Archwilio"
    assert [i.title_cy for i in await env.items(meeting.id)] == ["Cofnodion", "Rhaglen Waith"]


async def test_a_welsh_change_reaches_a_live_page_as_events(env: Env) -> None:
    await env.run()
    meeting = await env.meeting()
    async with writing(env.sessionmaker, env.broker) as w:
        await change_meeting_status(w, meeting.id, "open", CLERK)
    before = await env.snapshot(meeting.id)
    env.pages["cy"] = MEETING_CY.replace("Rhaglen Waith", "Rhaglen Waith 2026/27")
    report = await env.run()
    assert report.updated == 1
    events = await env.public_events_after(meeting.id, before["last_seq"])
    assert [e["type"] for e in events] == ["agenda.item.updated"]
    assert events[0]["data"]["item"]["title_cy"] == "Rhaglen Waith 2026/27"
    after = await env.snapshot(meeting.id)
    applied = apply(before, events)
    applied["last_seq"] = after["last_seq"]
    assert applied == after


async def test_a_clerks_welsh_is_kept_and_reaches_the_page_as_events(env: Env) -> None:
    await env.run()
    meeting = await env.meeting()
    minutes = (await env.items(meeting.id))[0]
    before = await env.snapshot(meeting.id)
    async with writing(env.sessionmaker, env.broker) as w:
        await edit_item(
            w, meeting.id, minutes.id, CLERK, number="1", title="Minutes",
            description=minutes.description, title_cy="Cofnodion 25 Tachwedd",
        )  # fmt: skip
        await edit_meeting(
            w, meeting.id, CLERK, title=meeting.title, body_name=meeting.body_name,
            starts_at=meeting.starts_at, location=meeting.location,
            webcast_url=meeting.webcast_url, title_cy="Y Pwyllgor Archwilio",
        )  # fmt: skip
    events = await env.public_events_after(meeting.id, before["last_seq"])
    assert [e["type"] for e in events] == ["agenda.item.updated", "meeting.updated"]
    after = await env.snapshot(meeting.id)
    applied = apply(before, events)
    applied["last_seq"] = after["last_seq"]
    assert applied == after
    assert after["meeting"]["title_cy"] == "Y Pwyllgor Archwilio"
    await env.run()  # the source still says "Cofnodion" and "Pwyllgor Archwilio"
    meeting = await env.meeting()
    assert meeting.title_cy == "Y Pwyllgor Archwilio"
    assert (await env.items(meeting.id))[0].title_cy == "Cofnodion 25 Tachwedd"
