"""Search across a council's meetings: published contributions and agenda items are found, on
SQLite (FTS5) and PostgreSQL (tsvector); what is waiting, rejected, taken down or erased never
is; another council's staff find nothing of this council's; any query is a query, never an error."""

from __future__ import annotations

import re

from hub.actions._locks import Actor
from hub.actions.moderation import moderate
from hub.actions.privacy import erase_participant
from hub.events.publish import writing
from hub.models import utcnow
from tests.support import RunningServer, Seeded, contribute, resident, sign_in

CLERK = Actor(user_id=1, display_name="Clerk")
HIT = re.compile(r'<li class="panel search-hit" data-kind="(\w+)">')


async def test_finds_what_is_published_and_nothing_else(
    server: RunningServer, seeded: Seeded
) -> None:
    mid, svc = seeded.meeting_id, server.services
    author = resident(server.base_url)

    async def sent(body: str) -> int:
        r = await contribute(author, mid, body)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    published = await sent("The mobile library should visit Llanfair every week, says Siân")
    taken_down = await sent("The mobile library driver is rude")
    rejected = await sent("Mobile library nonsense")
    await sent("Mobile library still waiting for a clerk")
    async with writing(svc.sessionmaker, svc.broker) as w:
        for cid in (published, taken_down):
            await moderate(w, mid, cid, "approve", CLERK)
        await moderate(w, mid, taken_down, "hide", CLERK, "abusive")
        await moderate(w, mid, rejected, "reject", CLERK, "off_topic")

    councillor = await sign_in(server.base_url, seeded.users["councillor"])

    async def found(q: str) -> list[str]:
        r = await councillor.http.get("/staff/search", params={"q": q})
        assert r.status_code == 200
        return r.text

    page = await found("mobile library")
    assert HIT.findall(page) == ["contribution"]
    assert "visit Llanfair every week" in page
    for hidden in ("rude", "nonsense", "waiting for a clerk"):
        assert hidden not in page
    # Agenda items: by number and title words (the seeded agenda's item 3).
    items = await found("library opening hours")
    assert "item" in HIT.findall(items) and "Library opening hours" in items
    if svc.engine.dialect.name == "sqlite":  # FTS5's unicode61 folds accents (see 0010)
        assert HIT.findall(await found("sian")) == ["contribution"]
    # All words must match; punctuation, operators and odd characters are just words.
    assert HIT.findall(await found("mobile library zebra")) == []
    for odd in ('"', "mobile OR", "NEAR(library", "*", "library)", "\x00library", "a" * 5000, "٣"):
        r = await councillor.http.get("/staff/search", params={"q": odd})
        assert r.status_code == 200, odd

    # The resident erases what they wrote: no longer found.
    async with writing(svc.sessionmaker, svc.broker) as w:
        await erase_participant(w, await _participant(server, published), utcnow())
    assert HIT.findall(await found("Llanfair")) == []

    # Another council's clerk searches their own council only.
    other = await sign_in(server.base_url, seeded.users["other_clerk"])
    r = await other.http.get("/staff/search", params={"q": "library opening hours"})
    assert HIT.findall(r.text) == []
    for client in (councillor, other):
        await client.http.aclose()
    await author.aclose()


async def _participant(server: RunningServer, cid: int) -> str:
    from hub.models import Contribution

    async with server.services.sessionmaker() as session:
        c = await session.get(Contribution, cid)
        assert c is not None
        return c.participant_id
