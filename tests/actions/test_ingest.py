"""Storing imported meetings (hub/actions/ingest.py through integrations/agendas/sync.py), on
SQLite and PostgreSQL, from a local fake Modern.gov over real HTTP serving the samples and
changed versions of them: idempotent re-imports, a clerk's edit kept (and shown to differ),
items gone from the source withdrawn (not deleted) and back, restricted items never public,
a cancellation, changes to a live meeting appended as events (snapshot + events = snapshot),
and a failed meeting that leaves nothing half-written and is named with why."""

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
from hub.actions.agenda_edit import edit_item, move_item
from hub.actions.agenda_sources import add_source
from hub.actions.meetings import change_meeting_status
from hub.broker.memory import MemoryBroker
from hub.events import log as event_log
from hub.events.apply import apply
from hub.events.publish import writing
from hub.events.schema import Audience
from hub.models import AgendaItem, Meeting, MeetingEvent
from hub.queries.meetings import load_items, snapshot
from hub.queries.provenance import differs
from integrations.agendas.sync import Report, import_range
from tests.integrations.agendas.fakes import FakeApi, sample_text, serve, xml
from tests.support import Seeded

ASMX = "/mgWebService.asmx"
CLERK = Actor(1, "Clerk")
FROM, TO = date(2026, 1, 1), date(2026, 12, 31)
LISTING = sample_text("moderngov-getmeetings.xml")
MEETING = sample_text("moderngov-getmeeting.xml")
CANCELLED = sample_text("moderngov-getmeeting-cancelled.xml")

EXTRA_ITEM = """    <agendaitem>
      <agendaitemid>18840</agendaitemid>
      <agendaitemtitle>Exempt: staffing matter</agendaitemtitle>
      <agendaitemnumber>13</agendaitemnumber><agendaitemsubnumber></agendaitemsubnumber>
      <fulldisplaynumberformat>10.</fulldisplaynumberformat>
      <isrestricted>True</isrestricted>
    </agendaitem>
  </agendaitems>"""


@dataclass
class Env:
    sessionmaker: async_sessionmaker[AsyncSession]
    broker: MemoryBroker
    fake: FakeApi
    source_id: int
    pages: dict[str, str]

    async def run(self) -> Report:
        return await import_range(self.sessionmaker, self.broker, self.source_id, FROM, TO)

    async def meeting(self, external_id: str) -> Meeting:
        async with self.sessionmaker() as session:
            found = await session.scalar(select(Meeting).where(Meeting.external_id == external_id))
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
    pages = {"listing": LISTING, "4966": CANCELLED, "4967": MEETING}
    async with serve() as fake:
        fake.on(f"{ASMX}/GetMeetings", lambda _: xml(pages["listing"]))
        fake.on(f"{ASMX}/GetMeeting", lambda seen: xml(pages[seen.param("lMeetingId") or ""]))
        async with writing(sessionmaker, broker) as w:
            source = await add_source(
                w, council_slug="aberglas", name="moderngov", kind="moderngov", url=fake.base_url
            )
        yield Env(sessionmaker, broker, fake, source.id, pages)


async def test_import_then_reimport_is_idempotent(env: Env) -> None:
    first = await env.run()
    assert (first.fetched, first.created, first.items, first.failures) == (2, 2, 2, [])
    cancelled, confirmed = await env.meeting("4966"), await env.meeting("4967")
    assert cancelled.status == "cancelled" and confirmed.status == "scheduled"
    assert confirmed.title == "Audit Committee"
    assert confirmed.source_url and confirmed.source_url.endswith("MId=4967")
    items = await env.items(confirmed.id)
    assert [(i.number, i.title) for i in items] == [("1", "Minutes"), ("9", "Work Programme")]
    snap = await env.snapshot(confirmed.id)
    assert snap["items"][0]["documents"] == [
        {
            "title": "6 - CHAIR APPROVED Minutes Audit Committee 25 Nov 2025",
            "url": "https://democracy.manchester.gov.uk/mgConvert2PDF.aspx?ID=60860",
        }
    ]
    again = await env.run()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    async with env.sessionmaker() as session:
        assert await session.scalar(select(func.count(Meeting.id))) == 4  # 2 seeded + 2
        assert await session.scalar(select(func.count(MeetingEvent.seq))) == 0


async def test_a_clerks_edit_is_kept_and_the_rest_follows_the_source(env: Env) -> None:
    await env.run()
    meeting = await env.meeting("4967")
    minutes = (await env.items(meeting.id))[0]
    async with writing(env.sessionmaker, env.broker) as w:
        await edit_item(
            w, meeting.id, minutes.id, CLERK, number="1", title="Minutes of 25 November",
            description=minutes.description,
        )  # fmt: skip
    env.pages["4967"] = (
        MEETING.replace("<agendaitemtitle>Minutes</agendaitemtitle>",
                        "<agendaitemtitle>Minutes (revised)</agendaitemtitle>")
        .replace("To approve as a correct record", "To approve as an accurate record")
        .replace("Work Programme</agendaitemtitle>", "Work Programme 2026/27</agendaitemtitle>")
    )  # fmt: skip
    report = await env.run()
    assert report.updated == 1
    minutes_after, work = await env.items(meeting.id)
    assert minutes_after.title == "Minutes of 25 November"  # the clerk's edit stands
    assert minutes_after.description.startswith("To approve as an accurate record")
    assert work.title == "Work Programme 2026/27"
    # The editor shows the source's title beside the clerk's own.
    assert differs(minutes_after, "title") == "Minutes (revised)"
    assert differs(minutes_after, "description") is None


async def test_removed_items_are_withdrawn_and_come_back(env: Env) -> None:
    await env.run()
    meeting = await env.meeting("4967")
    start = meeting.id
    without_minutes = MEETING.split("<agendaitem>")
    env.pages["4967"] = without_minutes[0] + "<agendaitem>" + without_minutes[2]
    await env.run()
    minutes, work = await env.items(start)
    assert (minutes.title, minutes.status, minutes.removed_at_source) == (
        "Minutes",
        "withdrawn",
        True,
    )
    assert work.status == "pending"
    env.pages["4967"] = MEETING
    await env.run()
    minutes, _ = await env.items(start)
    assert (minutes.status, minutes.removed_at_source) == ("pending", False)


async def test_restricted_items_are_never_public_and_leave_when_restricted(env: Env) -> None:
    env.pages["4967"] = MEETING.replace("  </agendaitems>", EXTRA_ITEM)
    await env.run()
    meeting = await env.meeting("4967")
    items = await env.items(meeting.id)
    assert [(i.number, i.private) for i in items] == [("1", False), ("9", False), ("10", True)]
    snap = await env.snapshot(meeting.id)
    assert [i["number"] for i in snap["items"]] == ["1", "9"]
    # Now the source restricts the work programme too: it leaves open pages.
    env.pages["4967"] = env.pages["4967"].replace(
        "<isrestricted>False</isrestricted>\n      <isdisplayallowed>True</isdisplayallowed>\n"
        "      <meetingdate>10/02/2026</meetingdate>\n      <meetingtime>10.00 am</meetingtime>\n"
        "      <minutesitemnumber>9</minutesitemnumber>",
        "<isrestricted>True</isrestricted>\n      <minutesitemnumber>9</minutesitemnumber>",
    )
    await env.run()
    events = await env.public_events_after(meeting.id, 0)
    assert [e["type"] for e in events] == ["agenda.item.removed"]
    assert events[0]["data"]["id"] == items[1].id
    assert "Exempt" not in json.dumps(events)
    applied = apply(snap, events)
    after = await env.snapshot(meeting.id)
    applied["last_seq"] = after["last_seq"]
    assert applied == after


async def test_changes_to_a_live_meeting_reach_its_page_as_events(env: Env) -> None:
    await env.run()
    meeting = await env.meeting("4967")
    async with writing(env.sessionmaker, env.broker) as w:
        await change_meeting_status(w, meeting.id, "open", CLERK)
    before = await env.snapshot(meeting.id)
    public_item = EXTRA_ITEM.replace("True</isrestricted>", "False</isrestricted>")
    env.pages["4967"] = (
        MEETING.replace("Council Antechamber", "Council Chamber")
        .replace("Work Programme</agendaitemtitle>", "Work Programme 2026/27</agendaitemtitle>")
        .replace("  </agendaitems>", public_item)
    )
    report = await env.run()
    assert report.updated == 1
    events = await env.public_events_after(meeting.id, before["last_seq"])
    kinds = [e["type"] for e in events]
    assert kinds == ["meeting.updated", "agenda.item.updated", "agenda.item.updated"]
    after = await env.snapshot(meeting.id)
    applied = apply(before, events)
    applied["last_seq"] = after["last_seq"]
    assert applied == after
    assert after["meeting"]["location"].startswith("Council Chamber")
    assert [i["number"] for i in after["items"]] == ["1", "9", "10"]


async def test_the_source_cancels_and_reinstates(env: Env) -> None:
    await env.run()
    meeting = await env.meeting("4967")
    env.pages["4967"] = MEETING.replace("Confirmed", "Cancelled")
    await env.run()
    assert (await env.meeting("4967")).status == "cancelled"
    env.pages["4967"] = MEETING
    await env.run()
    after = await env.meeting("4967")
    assert after.status == "scheduled" and after.status_version == 2
    events = await env.public_events_after(meeting.id, 0)
    assert [e["data"]["meeting"]["status"] for e in events] == ["cancelled", "scheduled"]


async def test_the_clerks_order_stands_and_new_items_come_at_the_end(env: Env) -> None:
    await env.run()
    meeting = await env.meeting("4967")
    work = (await env.items(meeting.id))[1]
    async with writing(env.sessionmaker, env.broker) as w:
        await move_item(w, meeting.id, work.id, CLERK, "up")
    env.pages["4967"] = MEETING.replace("  </agendaitems>", EXTRA_ITEM)
    await env.run()
    assert [i.number for i in await env.items(meeting.id)] == ["9", "1", "10"]


async def test_a_failed_meeting_writes_nothing_and_is_named(env: Env) -> None:
    # The same item twice: refused after the first rows were added, so all are rolled back.
    item = MEETING.split("<agendaitem>")[1]
    env.pages["4967"] = MEETING.replace("  </agendaitems>", f"<agendaitem>{item}</agendaitems>")
    report = await env.run()
    assert report.created == 1  # the cancelled meeting
    (failure,) = report.failures
    assert failure.council == "aberglas" and failure.source == "moderngov"
    assert failure.external_id == "4967" and "lists item '18831' twice" in failure.reason
    assert str(failure).startswith("aberglas / moderngov / Audit Committee on 2026-02-10 [4967]")
    async with env.sessionmaker() as session:
        assert await session.scalar(select(Meeting.id).where(Meeting.external_id == "4967")) is None
        assert await session.scalar(select(func.count(AgendaItem.id))) == 7  # the seeded ones
    # A page from the source failing names its meeting just the same.
    env.pages["4967"] = "<meeting><meetingid>4967</meet"
    report = await env.run()
    assert [f.external_id for f in report.failures] == ["4967"]
    assert "malformed XML" in report.failures[0].reason
