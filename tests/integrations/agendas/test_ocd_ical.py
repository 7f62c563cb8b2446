"""OcdSource from a file and from a URL (the real pupa output, with the log line pupa printed
before it), and ICalSource over real HTTP: recurrences expanded by recurring-ical-events, a
moved and a cancelled occurrence, floating times in the council's zone, malformed feeds."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from starlette.responses import Response

from integrations.agendas.ical import ICalSource
from integrations.agendas.models import (
    ImportedMeeting,
    Malformed,
    MeetingFailure,
    NotTheFormat,
    State,
    Unreachable,
)
from integrations.agendas.ocd import OcdSource
from tests.integrations.agendas.fakes import SAMPLES, html_challenge, serve

OCD = (SAMPLES / "ocd-event.json").read_bytes()

FEED = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Aberglas//Meetings//EN\r
X-WR-CALNAME:Aberglas meetings\r
BEGIN:VEVENT\r
UID:full-council@aberglas.example\r
DTSTART;TZID=Europe/London:20260305T183000\r
DURATION:PT2H\r
RRULE:FREQ=MONTHLY;COUNT=4\r
EXDATE;TZID=Europe/London:20260405T183000\r
SUMMARY:Full Council\r
LOCATION:County Hall\\, Aberglas\r
URL:https://aberglas.example/meetings/full-council\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:full-council@aberglas.example\r
RECURRENCE-ID;TZID=Europe/London:20260505T183000\r
DTSTART;TZID=Europe/London:20260506T190000\r
SUMMARY:Full Council (moved)\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:full-council@aberglas.example\r
RECURRENCE-ID;TZID=Europe/London:20260605T183000\r
DTSTART;TZID=Europe/London:20260605T183000\r
SUMMARY:Full Council\r
STATUS:CANCELLED\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:floating@aberglas.example\r
DTSTART:20260701T100000\r
SUMMARY:Licensing\r
END:VEVENT\r
END:VCALENDAR\r
"""


async def ocd_all(source: OcdSource) -> list[ImportedMeeting | MeetingFailure]:
    try:
        return [m async for m in source.meetings(date(2026, 1, 1), date(2026, 12, 31))]
    finally:
        await source.aclose()


async def test_ocd_from_a_file_with_a_log_line_before_it(tmp_path: Path) -> None:
    path = tmp_path / "events.json"
    path.write_bytes(OCD)
    assert not OCD.startswith(b"{")  # pupa's "no pupa_settings on path" line
    (meeting,) = await ocd_all(OcdSource(str(path), "Europe/London"))
    assert isinstance(meeting, ImportedMeeting)
    assert meeting.external_id == "4967" and meeting.title == "Audit Committee"
    assert meeting.starts_at == datetime(2026, 2, 10, 10, 0, tzinfo=UTC)
    assert meeting.items is not None
    assert [(i.number, i.title) for i in meeting.items] == [
        ("1", "Minutes"),
        ("9", "Work Programme"),
    ]
    assert [d.title for d in meeting.documents][0].startswith("6 - CHAIR APPROVED")
    assert (
        meeting.url
        == "https://democracy.manchester.gov.uk/mgWebService.asmx/GetMeeting?lMeetingId=4967"
    )


async def test_ocd_from_a_url_as_a_list_with_a_range_and_a_bad_event() -> None:
    event = json.loads(OCD[OCD.index(b"{") :])
    later = {**event, "pupa_id": "later", "start_date": "2027-03-01T18:00"}
    summer = {**event, "pupa_id": "summer", "start_date": "2026-07-01T18:00", "status": "cancelled"}
    broken = {**event, "pupa_id": "broken", "start_date": "next Tuesday"}
    async with serve() as fake:
        fake.on(
            "/events.json",
            lambda _: Response(
                json.dumps({"results": [event, later, summer, broken]}),
                media_type="application/json",
            ),
        )
        got = await ocd_all(OcdSource(f"{fake.base_url}/events.json", "Europe/London"))
    first, second, third = got
    assert isinstance(first, ImportedMeeting) and first.external_id == "4967"
    # A time with no offset is the council's: 18:00 BST is 17:00 UTC.
    assert isinstance(second, ImportedMeeting) and second.state is State.CANCELLED
    assert second.starts_at.astimezone(UTC) == datetime(2026, 7, 1, 17, 0, tzinfo=UTC)
    assert isinstance(third, MeetingFailure) and "not ISO 8601" in third.reason


async def test_ocd_failures(tmp_path: Path) -> None:
    with pytest.raises(Unreachable, match="cannot read"):
        await ocd_all(OcdSource(str(tmp_path / "missing.json"), "UTC"))
    async with serve() as fake:
        fake.on("/bad", lambda _: Response(b'{"name": ', media_type="application/json"))
        fake.on("/html", lambda _: html_challenge())
        with pytest.raises(Malformed, match="malformed JSON"):
            await ocd_all(OcdSource(f"{fake.base_url}/bad", "UTC"))
        with pytest.raises(NotTheFormat):
            await ocd_all(OcdSource(f"{fake.base_url}/html", "UTC"))


async def ical_all(source: ICalSource) -> list[ImportedMeeting | MeetingFailure]:
    try:
        return [m async for m in source.meetings(date(2026, 1, 1), date(2026, 12, 31))]
    finally:
        await source.aclose()


async def test_ical_recurrences_moves_cancellations_and_floating_times() -> None:
    async with serve() as fake:
        fake.on("/meetings.ics", lambda _: Response(FEED, media_type="text/calendar"))
        got = await ical_all(ICalSource(f"{fake.base_url}/meetings.ics", "Europe/London"))
    meetings = [m for m in got if isinstance(m, ImportedMeeting)]
    assert len(meetings) == len(got) == 4  # March; April excluded; May moved; June cancelled
    march, may, june, july = sorted(meetings, key=lambda m: m.starts_at)
    assert march.starts_at.astimezone(UTC) == datetime(2026, 3, 5, 18, 30, tzinfo=UTC)  # GMT
    assert march.location == "County Hall, Aberglas" and march.body_name == "Aberglas meetings"
    assert march.items is None  # a feed has no agendas: the hub's items are left alone
    # The moved occurrence keeps the identity of the one it replaces (its RECURRENCE-ID).
    assert may.external_id == "full-council@aberglas.example/20260505T173000Z"
    assert may.starts_at.astimezone(UTC) == datetime(2026, 5, 6, 18, 0, tzinfo=UTC)  # BST
    assert june.state is State.CANCELLED and march.state is State.SCHEDULED
    # Floating: the council's wall clock (10:00 BST).
    assert july.external_id == "floating@aberglas.example"
    assert july.starts_at.astimezone(UTC) == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


async def test_ical_failures() -> None:
    async with serve() as fake:
        fake.on("/html", lambda _: html_challenge())
        fake.on(
            "/junk",
            lambda _: Response(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", media_type="text/calendar"),
        )
        fake.on("/text", lambda _: Response(b"hello", media_type="text/calendar"))
        with pytest.raises(NotTheFormat):
            await ical_all(ICalSource(f"{fake.base_url}/html", "UTC"))
        with pytest.raises(Malformed):
            await ical_all(ICalSource(f"{fake.base_url}/junk", "UTC"))
        with pytest.raises(Malformed, match="BEGIN:VCALENDAR"):
            await ical_all(ICalSource(f"{fake.base_url}/text", "UTC"))
