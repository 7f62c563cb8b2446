"""LegistarSource over real HTTP against a local fake Legistar Web API serving the real samples
and variations: 1,000+ events across $top/$skip pages, items unordered with tabs and CRLFs,
separate date and time fields in the council's zone (summer and winter), a cancelled event,
an API token, attachments as links, malformed JSON, an HTML page with status 200, a 5xx."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from starlette.responses import Response

from integrations.agendas.legistar import LegistarSource
from integrations.agendas.models import (
    BadStatus,
    ImportedMeeting,
    Malformed,
    MeetingFailure,
    NotTheFormat,
    State,
)
from tests.integrations.agendas.fakes import Seen, html_challenge, serve
from tests.integrations.social.fakes import json_response, malformed, sample

EVENTS: list[dict[str, Any]] = sample("legistar-events.json")
ITEMS: list[dict[str, Any]] = sample("legistar-eventitems.json")
MOUNTAIN_VIEW: dict[str, Any] = sample("legistar-event-mountainview.json")


def paged(rows: list[dict[str, Any]]) -> Any:
    """Answers as Legistar does: $skip and $top (at most 1,000) over ``rows``."""

    def handler(seen: Seen) -> Response:
        top = min(int(seen.param("$top") or 1000), 1000)
        skip = int(seen.param("$skip") or 0)
        return json_response(rows[skip : skip + top])

    return handler


async def fetch_all(source: LegistarSource) -> list[ImportedMeeting | MeetingFailure]:
    try:
        return [m async for m in source.meetings(date(2000, 1, 1), date(2030, 12, 31))]
    finally:
        await source.aclose()


async def test_the_real_samples_in_the_councils_zone() -> None:
    async with serve() as fake:
        fake.on("/v1/oakland/events", paged(EVENTS))
        for event in EVENTS:
            fake.on(f"/v1/oakland/events/{event['EventId']}/eventitems", paged(ITEMS))
        got = await fetch_all(
            LegistarSource("oakland", "America/Los_Angeles", base_url=f"{fake.base_url}/v1")
        )
        asked = fake.to("/v1/oakland/events")[0]
        items_asked = fake.to("/v1/oakland/events/574/eventitems")[0]
    assert "EventDate ge datetime'2000-01-01'" in (asked.param("$filter") or "")
    assert items_asked.param("AgendaNote") == "1" and items_asked.param("Attachments") == "1"
    cancelled, draft, council = got
    assert isinstance(cancelled, ImportedMeeting) and cancelled.state is State.CANCELLED
    assert isinstance(draft, ImportedMeeting) and draft.state is State.SCHEDULED
    assert isinstance(council, ImportedMeeting)
    # "2000-09-26T00:00:00" + "7:00 PM" in Oakland's summer (PDT, UTC-7).
    assert council.starts_at.astimezone(UTC) == datetime(2000, 9, 27, 2, 0, tzinfo=UTC)
    assert council.title == "Meeting of the Oakland City Council"
    assert cancelled.title == "Finance & Management Committee"  # Legistar's "*" mark gone
    assert council.items is not None
    # Sorted by EventItemAgendaSequence (the sample's last row, sequence 10, moves up).
    assert [i.number for i in council.items] == ["", "", "", "1", "3", "7", "", "", "*"]
    subject = council.items[4]
    assert "\t" not in subject.title and "\n" not in subject.title
    assert subject.title.startswith("Subject: Additional Date Collection For Gun Tracing Reports")
    assert len(subject.title) <= 300 and subject.title.endswith("…")
    assert subject.description.startswith("Subject: Additional Date Collection")  # kept whole
    assert council.items[7].title == "Adjournment"  # "Adjournment\r\n\r\n"
    assert council.items[3].documents[0].url.endswith("51dd9de1-99c5-429a-963e-6f0dad423b3d.pdf")
    assert council.url and council.url.startswith("https://oakland.legistar.com/")


async def test_winter_time_a_token_and_the_agenda_file() -> None:
    winter = {**MOUNTAIN_VIEW}
    async with serve() as fake:
        fake.on("/v1/mountainview/events", paged([winter]))
        fake.on("/v1/mountainview/events/896/eventitems", paged([]))
        (meeting,) = await fetch_all(
            LegistarSource(
                "mountainview", "America/Los_Angeles", base_url=f"{fake.base_url}/v1", token="s3"
            )
        )
        assert {r.param("token") for r in fake.requests} == {"s3"}
    assert isinstance(meeting, ImportedMeeting)
    # 6:30 PM on 7 January is PST (UTC-8).
    assert meeting.starts_at.astimezone(UTC) == datetime(2014, 1, 8, 2, 30, tzinfo=UTC)
    assert [d.title for d in meeting.documents] == ["Agenda"]
    assert meeting.items == ()


async def test_more_than_a_thousand_events_across_pages() -> None:
    rows = []
    for n in range(2345):
        row = copy.deepcopy(MOUNTAIN_VIEW)
        row["EventId"] = 10000 + n
        rows.append(row)
    async with serve() as fake:
        fake.on("/v1/big/events", paged(rows))
        for row in rows:
            fake.on(f"/v1/big/events/{row['EventId']}/eventitems", paged([]))
        source = LegistarSource("big", "America/Los_Angeles", base_url=f"{fake.base_url}/v1")
        try:
            # Only the listing: every event's items would be 2,345 more calls.
            listed = await source._rows("/events", {}, "Legistar events")
        finally:
            await source.aclose()
        skips = [r.param("$skip") for r in fake.to("/v1/big/events")]
    assert skips == ["0", "1000", "2000"]
    assert len(listed) == 2345 and len({r["EventId"] for r in listed}) == 2345


async def test_more_than_a_thousand_items_of_one_event() -> None:
    items = []
    for n in range(1203):
        row = copy.deepcopy(ITEMS[3])
        row["EventItemId"] = 500000 + n
        row["EventItemAgendaSequence"] = 1203 - n  # served backwards
        row["EventItemAgendaNumber"] = str(1203 - n)
        items.append(row)
    async with serve() as fake:
        fake.on("/v1/c/events", paged([MOUNTAIN_VIEW]))
        fake.on("/v1/c/events/896/eventitems", paged(items))
        (meeting,) = await fetch_all(
            LegistarSource("c", "America/Los_Angeles", base_url=f"{fake.base_url}/v1")
        )
    assert isinstance(meeting, ImportedMeeting) and meeting.items is not None
    assert [i.number for i in meeting.items[:3]] == ["1", "2", "3"]
    assert len(meeting.items) == 1203


async def test_an_events_items_failing_names_it_and_the_others_come() -> None:
    second = {**MOUNTAIN_VIEW, "EventId": 897}
    async with serve() as fake:
        fake.on("/v1/c/events", paged([MOUNTAIN_VIEW, second]))
        fake.on("/v1/c/events/896/eventitems", lambda _: malformed())
        fake.on("/v1/c/events/897/eventitems", paged(ITEMS))
        bad, good = await fetch_all(
            LegistarSource("c", "America/Los_Angeles", base_url=f"{fake.base_url}/v1")
        )
    assert isinstance(bad, MeetingFailure) and bad.external_id == "896"
    assert "malformed JSON" in bad.reason and bad.label == "City Council on 2014-01-07"
    assert isinstance(good, ImportedMeeting) and good.external_id == "897"


@pytest.mark.parametrize(
    ("answer", "error", "words"),
    [
        (html_challenge, NotTheFormat, "HTML page instead of JSON"),
        (lambda: json_response({"Message": "An error has occurred."}, 500), BadStatus, "HTTP 500"),
        (malformed, Malformed, "malformed JSON"),
        (lambda: json_response({"not": "a list"}), Malformed, "not a list of rows"),
        (lambda: Response(json.dumps([1, 2]), media_type="application/json"), Malformed, "rows"),
    ],
)
async def test_the_listing_failing_fails_the_source(
    answer: Any, error: type[Exception], words: str
) -> None:
    async with serve() as fake:
        fake.on("/v1/c/events", lambda _: answer())
        with pytest.raises(error, match=words):
            await fetch_all(LegistarSource("c", "UTC", base_url=f"{fake.base_url}/v1"))
