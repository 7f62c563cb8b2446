"""The agenda editor's and agenda sources' routes over HTTP, as a browser without JavaScript
uses them (forms, CSRF, redirects): a source added from the staff UI (web addresses only),
its health after a failed sync shown in words, a meeting made and edited, and an imported
meeting's edited title kept across a re-import and shown to differ from the source."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from hub.agenda_sync import AgendaSync
from hub.models import AgendaSource, Meeting, utcnow
from tests.conftest import settings_for
from tests.integrations.agendas.fakes import sample_text, serve, xml
from tests.support import RunningServer, Seeded, run_server, sign_in

ASMX = "/mgWebService.asmx"


async def test_sources_health_and_an_edit_kept_across_reimports(
    sqlite_url: str, sqlite_seeded: Seeded
) -> None:
    # The server's own sync is off: the test runs each sync itself, as the scheduler would.
    async with run_server(settings_for(sqlite_url, agenda_sync=False)) as server:
        await _sources_health_and_an_edit_kept(server, sqlite_seeded)


async def _sources_health_and_an_edit_kept(server: RunningServer, seeded: Seeded) -> None:
    svc = server.services
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    pages = {"4966": xml(sample_text("moderngov-getmeeting-cancelled.xml")),
             "4967": xml(sample_text("moderngov-getmeeting.xml"))}  # fmt: skip
    async with serve() as fake:
        fake.on(f"{ASMX}/GetMeetings", lambda _: xml("Service Unavailable", 503))
        fake.on(f"{ASMX}/GetMeeting", lambda seen: pages[seen.param("lMeetingId") or ""])
        # A file on the server is for the command line only.
        r = await clerk.post(
            "/staff/councils/aberglas/sources",
            {"name": "export", "kind": "ocd", "url": "/etc/passwd"},
        )
        assert r.status_code == 422 and "http(s) URL" in r.json()["message"]
        r = await clerk.post(
            "/staff/councils/aberglas/sources",
            {"name": "moderngov", "kind": "moderngov", "url": fake.base_url},
            json_=False,
        )
        assert r.status_code == 303
        assert r.headers["location"] == "/staff/councils/aberglas/sources"
        sync = AgendaSync(svc.sessionmaker, svc.broker)
        (report,) = await sync.run_once()
        assert not report.ok
        page = await clerk.http.get("/staff/councils/aberglas/sources")
        assert "Modern.gov GetMeetings answered HTTP 503 Service Unavailable" in page.text
        assert 'data-health="error"' in page.text
        async with svc.sessionmaker() as session:
            source = await session.scalar(select(AgendaSource))
        assert source is not None and source.failures == 1

        # It comes back: the meetings arrive; the clerk renames one in the editor.
        fake.on(f"{ASMX}/GetMeetings", lambda _: xml(sample_text("moderngov-getmeetings.xml")))
        await sync.run_once(utcnow() + timedelta(hours=1))  # past the backoff
        page = await clerk.http.get("/staff/councils/aberglas/sources")
        assert 'data-health="ok"' in page.text and "2 meetings" in page.text
        async with svc.sessionmaker() as session:
            mid = await session.scalar(select(Meeting.id).where(Meeting.external_id == "4967"))
        editor = await clerk.http.get(f"/staff/meetings/{mid}/agenda")
        assert editor.status_code == 200
        assert "Imported from the source “moderngov”" in editor.text
        r = await clerk.post(
            f"/staff/meetings/{mid}/details",
            {
                "title": "Audit Committee (budget)",
                "body_name": "Audit Committee",
                "starts_at": "2026-02-10T10:00",
                "location": "Council Antechamber, Level 2, Town Hall Extension",
                "webcast_url": "",
            },
            json_=False,
        )
        assert (r.status_code, r.headers["location"]) == (
            303,
            f"/staff/meetings/{mid}/agenda#details",
        )
        # The source renames the committee: the clerk's title stays, the body follows.
        renamed = sample_text("moderngov-getmeetings.xml").replace(
            "Audit Committee", "Audit and Risk Committee"
        )
        fake.on(f"{ASMX}/GetMeetings", lambda _: xml(renamed))
        await sync.run_once(utcnow() + timedelta(hours=2))
    await sync.close()
    async with svc.sessionmaker() as session:
        meeting = await session.get(Meeting, mid)
    assert meeting is not None
    assert (meeting.title, meeting.body_name) == (
        "Audit Committee (budget)",
        "Audit and Risk Committee",
    )
    editor = await clerk.http.get(f"/staff/meetings/{mid}/agenda")
    assert "Edited here. The source says: “Audit and Risk Committee”" in editor.text
    # Removing the source keeps its meetings.
    source_id = re.search(r"/sources/(\d+)/remove", page.text)
    assert source_id
    r = await clerk.post(f"/staff/councils/aberglas/sources/{source_id.group(1)}/remove", {})
    assert r.status_code == 200
    async with svc.sessionmaker() as session:
        assert await session.get(Meeting, mid) is not None
        assert await session.scalar(select(AgendaSource)) is None
    await clerk.http.aclose()


async def test_a_meeting_made_in_the_browser(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    clerk = await sign_in(sqlite_server.base_url, sqlite_seeded.users["clerk"])
    form = {"title": "Licensing", "body_name": "", "starts_at": "2026-07-01T18:00",
            "location": "", "webcast_url": "https://example.org/live"}  # fmt: skip
    r = await clerk.post("/staff/councils/aberglas/meetings", form, json_=False)
    assert r.status_code == 303
    editor = await clerk.http.get(r.headers["location"])
    assert editor.status_code == 200 and "The agenda has no items yet." in editor.text
    mid = int(r.headers["location"].split("/")[3])
    r = await clerk.post(f"/staff/meetings/{mid}/items", {"number": "1", "title": "Apologies"})
    assert r.status_code == 200
    snap = (await clerk.http.get(f"/api/meetings/{mid}")).json()
    # 18:00 in July in Aberglas is BST: 17:00 UTC.
    assert snap["meeting"]["starts_at"] == "2026-07-01T17:00:00.000Z"
    assert [i["title"] for i in snap["items"]] == ["Apologies"]
    r = await clerk.post("/staff/councils/elsewhere/meetings", form)
    assert r.status_code == 403  # another council's
    await clerk.http.aclose()
