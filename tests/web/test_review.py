"""The councillors' review: its figures are what the database holds (positions, votes, wards,
per-minute timeline) for a meeting with hundreds of contributions, on SQLite and PostgreSQL;
filters narrow the comments without singling anyone out; one item on its own; the live part
(?partial=1); the printable briefing is one clean document."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select, update

from hub.actions import ActionError
from hub.actions._locks import Actor
from hub.actions.meetings import change_meeting_status
from hub.actions.moderation import bulk
from hub.actions.participation import Entry, Submission, submit_many
from hub.actions.votes import Ballot, vote_many
from hub.events.publish import writing
from hub.models import AgendaItem, Contribution
from hub.queries.review import WARD_MIN
from tests.support import RunningServer, Seeded, sign_in

CLERK = Actor(user_id=1, display_name="Clerk")
T0 = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)  # the seeded meeting's start
WARDS = ["Castle", "Harbour", "Hillside", "Riverside", "Old Town", "Quay"]
WARD_WEIGHTS = [40, 30, 20, 8, 2, 1]  # the last two with fewer than WARD_MIN comments, likely


class ReviewPage(HTMLParser):
    """What the review page shows, read from its markup: per section (item, or "general"),
    the figures, the questions with their votes, the comments; the timeline; the wards."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.sections: dict[str, dict[str, Any]] = {}
        self.timeline: dict[datetime, int] = {}
        self.areas: dict[str, int] = {}
        self._section: dict[str, Any] | None = None
        self._row: dict[str, str | None] = {}
        self._capture: tuple[str, dict[str, str | None]] | None = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and "data-item-id" in a:
            key = a["data-item-id"] or "general"
            self._section = self.sections[key] = {"questions": [], "comments": set()}
        elif tag == "tr":
            self._row = a
        elif tag == "li" and self._section is not None and a.get("data-kind") == "question":
            self._section["questions"].append(
                (int(a["data-contribution-id"] or 0), int(a["data-votes"] or 0))
            )
        elif tag == "li" and self._section is not None and a.get("data-kind") == "comment":
            self._section["comments"].add(int(a["data-contribution-id"] or 0))
        elif tag == "td" and ("data-position" in a or "data-figure" in a or "data-count" in a):
            self._capture, self._text = (tag, a), []

    def handle_endtag(self, tag: str) -> None:
        if self._capture is None or tag != self._capture[0]:
            return
        a, value = self._capture[1], int("".join(self._text).strip())
        self._capture = None
        if "data-position" in a and self._section is not None:
            self._section[a["data-position"] or ""] = value
        elif "data-figure" in a and self._section is not None:
            self._section["figure:" + (a["data-figure"] or "")] = value
        elif self._row.get("data-minute"):
            self.timeline[datetime.fromisoformat(self._row["data-minute"] or "")] = value
        elif self._row.get("data-area"):
            self.areas[self._row["data-area"] or ""] = value

    def handle_data(self, data: str) -> None:
        if self._capture is not None:
            self._text.append(data)

    def comments(self) -> set[int]:
        return set().union(*(s["comments"] for s in self.sections.values()))


async def _seed_feedback(server: RunningServer, seeded: Seeded) -> None:
    """300 submissions over 45 minutes, about two thirds published; votes on questions."""
    svc, mid, items = server.services, seeded.meeting_id, seeded.item_ids
    rng = random.Random(2026)
    async with writing(svc.sessionmaker, svc.broker) as w:
        await change_meeting_status(w, mid, "open", CLERK)
    entries = []
    for n in range(300):
        kind = "question" if n % 4 == 0 else "comment"
        entries.append(
            Entry(
                f"resident-{n % 120}",
                Submission(
                    kind=kind,
                    body=f"Submission {n} about the library",
                    position=None
                    if kind == "question"
                    else rng.choice(["support", "oppose", "neutral"]),
                    item_id=rng.choice([None, *items]),
                    general=False,
                    area=rng.choices(WARDS, WARD_WEIGHTS)[0] if n % 3 else None,
                    client_token=f"t{n}",
                ),
            )
        )
    async with writing(svc.sessionmaker, svc.broker) as w:
        outcomes = await submit_many(w, mid, entries)
    ids = [o[0].id for o in outcomes if not isinstance(o, ActionError)]
    assert len(ids) == 300
    publish = [i for i in ids if rng.random() < 0.66]
    reject = [i for i in ids if i not in publish and rng.random() < 0.5]
    async with writing(svc.sessionmaker, svc.broker) as w:
        for chunk in range(0, len(publish), 200):
            await bulk(w, mid, publish[chunk : chunk + 200], "approve", CLERK)
        await bulk(w, mid, reject, "reject", CLERK, "off_topic")
    async with svc.sessionmaker() as session:
        questions = list(
            await session.scalars(
                select(Contribution.id).where(
                    Contribution.meeting_id == mid,
                    Contribution.kind == "question",
                    Contribution.status == "published",
                )
            )
        )
    ballots = [Ballot(f"voter-{v}", q, True) for q in questions for v in range(rng.randrange(0, 9))]
    async with writing(svc.sessionmaker, svc.broker) as w:
        await vote_many(w, mid, ballots)
    # Spread the submissions and the items' times over the evening (the actions stamp "now").
    async with svc.sessionmaker() as session:
        for cid in ids:
            await session.execute(
                update(Contribution)
                .where(Contribution.id == cid)
                .values(created_at=T0 + timedelta(seconds=rng.randrange(-600, 45 * 60)))
            )
        for n, item_id in enumerate(items):
            await session.execute(
                update(AgendaItem)
                .where(AgendaItem.id == item_id)
                .values(
                    status="done",
                    started_at=T0 + timedelta(minutes=5 + 7 * n, seconds=20),
                    ended_at=T0 + timedelta(minutes=11 + 7 * n, seconds=50),
                )
            )
        await session.commit()


async def test_the_figures_are_what_the_database_holds(
    server: RunningServer, seeded: Seeded
) -> None:
    await _seed_feedback(server, seeded)
    mid, svc = seeded.meeting_id, server.services
    councillor = await sign_in(server.base_url, seeded.users["councillor"])
    page = await councillor.http.get(f"/staff/meetings/{mid}/review")
    assert page.status_code == 200
    shown = ReviewPage(page.text)

    async with svc.sessionmaker() as session:
        rows = list(
            await session.scalars(select(Contribution).where(Contribution.meeting_id == mid))
        )
        items = list(await session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == mid)))
    published = [c for c in rows if c.status == "published"]
    by_id = {c.id: c for c in published}

    # Positions, questions (most votes first, with their votes), per item.
    for item_id in [*[i.id for i in items], None]:
        mine = [c for c in published if c.item_id == item_id]
        if not mine:
            continue
        section = shown.sections[str(item_id) if item_id else "general"]
        positions = Counter(c.position for c in mine if c.kind == "comment")
        questions = [c for c in mine if c.kind == "question"]
        assert {k: section[k] for k in ("support", "oppose", "neutral", "figure:questions")} == {
            "support": positions["support"],
            "oppose": positions["oppose"],
            "neutral": positions["neutral"],
            "figure:questions": len(questions),
        }
        assert sorted(section["questions"]) == sorted((c.id, c.votes) for c in questions)
        votes = [v for _cid, v in section["questions"]]
        assert votes == sorted(votes, reverse=True)
        assert section["comments"] == {c.id for c in mine if c.kind == "comment"}
    assert sum(v for c in published for v in [c.votes]) > 0, "the seed cast votes"

    # Wards: every submission naming one, in totals.
    assert shown.areas == dict(Counter(c.area for c in rows if c.area))

    # The timeline: per minute from the first item taken up to the last one finished, every
    # minute present; what came before and after is counted apart.
    def minute(t: datetime) -> datetime:
        return t.replace(second=0, microsecond=0)

    first = minute(min(i.started_at for i in items if i.started_at))
    last = minute(max(i.ended_at for i in items if i.ended_at))
    during = Counter(minute(c.created_at) for c in rows if first <= minute(c.created_at) <= last)
    assert shown.timeline == {
        first + timedelta(minutes=m): during[first + timedelta(minutes=m)]
        for m in range(int((last - first).total_seconds() // 60) + 1)
    }
    before = sum(1 for c in rows if minute(c.created_at) < first)
    after = sum(1 for c in rows if minute(c.created_at) > last)
    assert f"Before the meeting: {before}. After it: {after}." in page.text
    # The charts: an image with a name and a description, no script inside.
    assert page.text.count('role="img"') >= 2
    assert "<script" not in page.text.split("<svg", 1)[1].split("</svg>")[0]
    assert by_id
    await councillor.http.aclose()


async def test_filters_narrow_the_comments_without_singling_anyone_out(
    server: RunningServer, seeded: Seeded
) -> None:
    await _seed_feedback(server, seeded)
    mid, svc = seeded.meeting_id, server.services
    async with svc.sessionmaker() as session:
        rows = list(
            await session.scalars(select(Contribution).where(Contribution.meeting_id == mid))
        )
    comments = [c for c in rows if c.status == "published" and c.kind == "comment"]
    per_ward = Counter(c.area for c in comments if c.area)
    offered = sorted(w for w, n in per_ward.items() if n >= WARD_MIN)
    rare = [w for w in WARDS if per_ward[w] < WARD_MIN]
    assert offered and rare, "the seed gives both kinds of ward"
    councillor = await sign_in(server.base_url, seeded.users["councillor"])
    page = (await councillor.http.get(f"/staff/meetings/{mid}/review")).text
    assert all(f'<option value="{w}"' in page for w in offered)
    assert not any(f'<option value="{w}"' in page for w in rare)

    ward = offered[0]
    since, until = "18:40", "18:55"  # the council's time (GMT in November)
    filtered = await councillor.http.get(
        f"/staff/meetings/{mid}/review",
        params={"position": "oppose", "area": ward, "since": since, "until": until},
    )
    shown = ReviewPage(filtered.text).comments()
    lo, hi = T0 + timedelta(minutes=10), T0 + timedelta(minutes=25)
    assert shown == {
        c.id
        for c in comments
        if c.position == "oppose" and c.area == ward and lo <= c.created_at < hi
    }
    # A ward too small to offer is not applied, whatever the URL says.
    sneaky = await councillor.http.get(
        f"/staff/meetings/{mid}/review", params={"area": rare[0], "position": "support"}
    )
    assert ReviewPage(sneaky.text).comments() == {c.id for c in comments if c.position == "support"}
    # Nonsense in the filters is ignored, not an error.
    odd = await councillor.http.get(
        f"/staff/meetings/{mid}/review",
        params={"position": "x\x00", "since": "25:99", "until": "٠٩:٠٠", "area": "a" * 5000},
    )
    assert odd.status_code == 200
    assert ReviewPage(odd.text).comments() == {c.id for c in comments}
    await councillor.http.aclose()


async def test_one_item_the_live_part_and_the_briefing(
    server: RunningServer, seeded: Seeded
) -> None:
    await _seed_feedback(server, seeded)
    mid, items = seeded.meeting_id, seeded.item_ids
    councillor = await sign_in(server.base_url, seeded.users["councillor"])
    parent = items[2]  # "3 Library opening hours", with 3a and 3b
    one = await councillor.http.get(f"/staff/meetings/{mid}/review/items/{parent}")
    assert one.status_code == 200
    assert set(ReviewPage(one.text).sections) <= {str(parent), str(items[3]), str(items[4])}
    assert f'data-item-id="{parent}"' in one.text
    other_meeting_item = await councillor.http.get(
        f"/staff/meetings/{mid}/review/items/{2**31 - 1}"
    )
    assert other_meeting_item.status_code == 404

    partial = await councillor.http.get(f"/staff/meetings/{mid}/review", params={"partial": "1"})
    assert partial.status_code == 200
    assert "<html" not in partial.text and "review-timeline" in partial.text
    assert "<form" not in partial.text

    briefing = await councillor.http.get(f"/staff/meetings/{mid}/briefing")
    assert briefing.status_code == 200
    for absent in ("<form", "<nav", "<script", "<button", "review-timeline"):
        assert absent not in briefing.text
    assert set(ReviewPage(briefing.text).sections) == set(
        ReviewPage((await councillor.http.get(f"/staff/meetings/{mid}/review")).text).sections
    )
    assert "Library opening hours" in briefing.text
    await councillor.http.aclose()
