"""The council's calendar and the meetings feed are written in the council's language: a
Welsh council's meetings and items under their Welsh titles where they have them."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.actions._locks import Actor
from hub.actions.agenda_edit import edit_meeting
from hub.events.publish import writing
from hub.queries.meetings import load_meeting
from tests.support import RunningServer, Seeded, http_client
from tests.web.test_page_language import welsh_council


async def test_a_welsh_councils_calendar_and_feed_use_the_welsh_titles(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    welsh = await welsh_council(sqlite_server)  # item 1 "Ymddiheuriadau", item 2 English only
    svc = sqlite_server.services
    async with svc.sessionmaker() as session:
        meeting = await load_meeting(session, welsh.meeting_id)
    assert meeting is not None
    async with writing(svc.sessionmaker, svc.broker) as w:
        await edit_meeting(
            w, meeting.id, Actor(0, "Clerk"), title="Cabinet", body_name="Cabinet",
            starts_at=datetime(2027, 1, 11, 18, 30, tzinfo=UTC), location="Siambr y Cyngor",
            webcast_url=None, title_cy="Y Cabinet",
        )  # fmt: skip
    async with http_client(sqlite_server.base_url) as http:
        ics = (await http.get("/api/councils/cymraeg/meetings.ics")).text
        atom = (await http.get("/api/meetings.atom")).text
    unfolded = ics.replace("\r\n ", "")
    assert "SUMMARY:Y Cabinet" in unfolded
    assert "1 Ymddiheuriadau" in unfolded and "2 Library opening hours" in unfolded
    assert "Ionawr" in unfolded  # the date in Welsh too (upcoming meetings only: January)
    assert "<title>Y Cabinet</title>" in atom and "<title>Cabinet</title>" in atom
