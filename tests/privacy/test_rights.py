"""Residents' rights and the council's retention period: a resident's data found by the code
their page shows them, exported and erased by the operator's command; personal data removed
once the retention period is over, the published record kept; a privacy notice per council,
linked from every resident page."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from hub.actions.privacy import purge_expired
from hub.events.publish import writing
from hub.models import Contribution, Vote, utcnow
from tests.support import (
    RunningServer,
    Seeded,
    contribute,
    resident,
    set_policy,
    sign_in,
)

NAME, AREA = "Ann Private", "Llanfair ward"
CODE_RE = re.compile(r'<span class="code">([A-Z2-7]{5}-[A-Z2-7]{5})</span>')


def privacy_cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COUNCIL_HUB_DATABASE_URL": db_url}
    return subprocess.run(
        [sys.executable, "-m", "hub", "privacy", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def _resident_with_history(
    server: RunningServer, seeded: Seeded, sessionmaker: Any
) -> tuple[httpx.AsyncClient, str, list[int], int]:
    """A resident who commented (published), asked (published) and voted on someone's
    question; returns them, their code, their contribution ids and the question they voted on."""
    await set_policy(sessionmaker, moderation="post")
    mid = seeded.meeting_id
    other = resident(server.base_url)
    theirs = (await contribute(other, mid, "Someone else's question?", kind="question")).json()
    await other.aclose()
    ann = resident(server.base_url)
    page = await ann.get(f"/meetings/{mid}")
    match = CODE_RE.search(page.text)
    assert match, "the resident page shows the participant code"
    ids = []
    for body, kind in (("My comment about the library", "comment"), ("My question?", "question")):
        r = await contribute(ann, mid, body, kind=kind, display_name=NAME, area=AREA)
        assert r.status_code == 201 and r.json()["status"] == "published", r.text
        ids.append(r.json()["id"])
    r = await ann.post(f"/api/meetings/{mid}/contributions/{theirs['id']}/vote", json={})
    assert r.status_code == 200, r.text
    return ann, match.group(1), ids, int(theirs["id"])


async def test_export_then_erase_by_participant_code(
    server: RunningServer, seeded: Seeded, sessionmaker: Any, db_url: str
) -> None:
    mid = seeded.meeting_id
    ann, code, ids, voted = await _resident_with_history(server, seeded, sessionmaker)
    exported = privacy_cli(db_url, "export", "--code", code)
    assert exported.returncode == 0, exported.stderr
    data = json.loads(exported.stdout)
    assert [c["id"] for c in data["contributions"]] == ids
    assert {c["display_name"] for c in data["contributions"]} == {NAME}
    assert {c["area"] for c in data["contributions"]} == {AREA}
    assert [v["question_id"] for v in data["votes"]] == [voted]

    erased = privacy_cli(db_url, "erase", "--code", code)
    assert erased.returncode == 0, erased.stderr
    async with resident(server.base_url) as anyone:
        snapshot = await anyone.get(f"/api/meetings/{mid}")
        events = await anyone.get(f"/api/meetings/{mid}/events?after=0")
    for text in (snapshot.text, events.text):
        assert "My comment about the library" not in text and NAME not in text
    assert {c["id"] for c in snapshot.json()["contributions"]} == {voted}
    assert snapshot.json()["contributions"][0]["votes"] == 1  # the vote counts, unnamed
    async with sessionmaker() as session:
        rows = list(await session.scalars(select(Contribution).where(Contribution.id.in_(ids))))
        votes = list(await session.scalars(select(Vote.participant_id)))
    assert all(c.body == "" and c.display_name is None and c.area is None for c in rows)
    assert all(c.participant_id.startswith("erased:") for c in rows)
    assert all(v.startswith("erased:") for v in votes)
    # Nothing is held under that code any more; their own list is empty.
    assert privacy_cli(db_url, "export", "--code", code).returncode != 0
    mine = (await ann.get(f"/api/meetings/{mid}/contributions/mine")).json()
    assert mine == {"contributions": [], "votes": []}
    await ann.aclose()


async def test_retention_keeps_the_published_record_without_who_wrote_it(
    server: RunningServer, seeded: Seeded, sessionmaker: Any
) -> None:
    mid = seeded.meeting_id
    await set_policy(sessionmaker, retention_days=30)
    ann, _code, ids, _voted = await _resident_with_history(server, seeded, sessionmaker)
    await set_policy(sessionmaker, moderation="pre")
    pending = (await contribute(ann, mid, "Never published text", display_name=NAME)).json()
    svc = server.services
    async with writing(svc.sessionmaker, svc.broker) as w:
        assert await purge_expired(w, utcnow() + timedelta(days=29)) == 0  # not yet
    async with writing(svc.sessionmaker, svc.broker) as w:
        purged = await purge_expired(w, utcnow() + timedelta(days=31))
    assert purged == 4  # both of Ann's, the pending one, and the other resident's question
    async with writing(svc.sessionmaker, svc.broker) as w:
        assert await purge_expired(w, utcnow() + timedelta(days=32)) == 0  # once each
    async with sessionmaker() as session:
        kept = {c.id: c for c in await session.scalars(select(Contribution))}
    assert kept[ids[0]].body == "My comment about the library"  # the published record
    assert kept[pending["id"]].body == ""  # never published: gone
    assert all(c.display_name is None and c.area is None for c in kept.values())
    assert all(c.participant_id.startswith("erased:") for c in kept.values())
    async with resident(server.base_url) as anyone:
        events = await anyone.get(f"/api/meetings/{mid}/events?after=0")
    assert "My comment about the library" in events.text and NAME not in events.text
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    staff = await clerk.http.get(f"/staff/api/meetings/{mid}/moderation")
    assert "Never published text" not in staff.text and NAME not in staff.text
    await clerk.http.aclose()
    await ann.aclose()


async def test_a_privacy_notice_per_council_linked_from_resident_pages(
    server: RunningServer, seeded: Seeded, sessionmaker: Any
) -> None:
    await set_policy(
        sessionmaker,
        retention_days=90,
        privacy_notice="Aberglas County Council is the controller.\n\nWrite to dpo@example.org.",
    )
    async with resident(server.base_url) as visitor:
        meeting = await visitor.get(f"/meetings/{seeded.meeting_id}")
        assert 'href="/c/aberglas/privacy"' in meeting.text
        code = CODE_RE.search(meeting.text)
        assert code
        notice = await visitor.get("/c/aberglas/privacy")
        assert notice.status_code == 200
        assert "Aberglas County Council is the controller." in notice.text
        assert "<p>Write to dpo@example.org.</p>" in notice.text
        assert "90 days" in notice.text and code.group(1) in notice.text
        welsh = await visitor.get("/c/aberglas/privacy?lang=cy")
        assert "Hysbysiad preifatrwydd" in welsh.text and 'lang="cy"' in welsh.text
    async with resident(server.base_url) as stranger:  # no cookie: no code
        notice = await stranger.get("/c/aberglas/privacy")
        assert not CODE_RE.search(notice.text) and 'id="participant-code"' not in notice.text
        assert (await stranger.get("/c/nowhere/privacy")).status_code == 404
