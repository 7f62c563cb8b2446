"""Councillors' review: what residents said, per agenda item, and how participation went.

Read from the database, not from a page's state: the figures (positions, votes, wards, the
per-minute timeline) are exactly what the tables hold. Only published text is shown; residents'
wards appear in totals, and as a filter only for wards with at least ``WARD_MIN`` published
comments, so a filter can never single out one resident's comment by where they live.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import (
    AgendaItem,
    Contribution,
    ContributionStatus,
    ItemStatus,
    Kind,
    Meeting,
    utcnow,
)
from hub.shapes.public import contribution_view, item_views
from hub.shapes.serialise import as_json

POSITIONS = ("support", "oppose", "neutral")
# A ward is offered as a filter once this many published comments name it (k-anonymity).
WARD_MIN = 3
# A timeline longer than this many minutes (a meeting left open overnight) is cut at its start.
TIMELINE_MAX_MINUTES = 12 * 60
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Filters:
    position: str | None = None
    area: str | None = None
    since: str | None = None  # "HH:MM", the council's local time on the meeting's day
    until: str | None = None

    @classmethod
    def parse(cls, params: Any) -> Filters:
        """From query parameters; anything unrecognised is ignored (a filter, not an error)."""
        position = params.get("position")
        since, until = params.get("since") or None, params.get("until") or None
        return cls(
            position=position if position in POSITIONS else None,
            area=(params.get("area") or "").strip()[:60] or None,
            since=since if since and _HHMM.match(since) else None,
            until=until if until and _HHMM.match(until) else None,
        )

    @property
    def active(self) -> bool:
        return any((self.position, self.area, self.since, self.until))


@dataclass
class ItemReview:
    item: dict[str, Any] | None  # the public item view; None: the meeting in general
    positions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(POSITIONS, 0))
    questions: list[dict[str, Any]] = field(default_factory=list)  # most votes first
    comments: list[dict[str, Any]] = field(default_factory=list)  # as filtered
    posts: list[dict[str, Any]] = field(default_factory=list)  # published social posts
    comments_total: int = 0  # before filtering

    @property
    def total(self) -> int:
        return len(self.questions) + self.comments_total + len(self.posts)


@dataclass
class Review:
    items: list[ItemReview]
    # Submissions received (comments and questions, whatever became of them) per minute while
    # the meeting was under way, every minute present; and those before and after it.
    timeline: list[tuple[datetime, int]]
    before: int
    after: int
    starts: list[tuple[datetime, str]]  # when each item was taken up, with its number
    areas: list[dict[str, Any]]  # {"area", "count"}: every submission naming one
    wards: list[str]  # the areas offered as a filter
    filters: Filters


def _bounds(filters: Filters, meeting: Meeting) -> tuple[datetime | None, datetime | None]:
    zone = ZoneInfo(meeting.council.timezone)
    day = meeting.starts_at.astimezone(zone).date()

    def at(hhmm: str | None) -> datetime | None:
        if hhmm is None:
            return None
        h, m = (int(x) for x in hhmm.split(":"))
        return datetime.combine(day, time(h, m), zone)

    return at(filters.since), at(filters.until)


def _minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


async def review_of(
    session: AsyncSession, meeting: Meeting, filters: Filters, item_id: int | None = None
) -> Review:
    """The meeting's review (``item_id``: that item's only, with its sub-items)."""
    items = list(
        await session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position)
        )
    )
    views = [as_json(v) for v in item_views(items)]
    rows = list(
        await session.scalars(
            select(Contribution)
            .where(Contribution.meeting_id == meeting.id)
            .order_by(Contribution.id)
        )
    )
    groups: dict[int | None, ItemReview] = {v["id"]: ItemReview(v) for v in views}
    groups[None] = ItemReview(None)
    since, until = _bounds(filters, meeting)
    ward_counts: Counter[str] = Counter()
    for c in rows:
        if c.status == ContributionStatus.PUBLISHED and c.kind == Kind.COMMENT and c.area:
            ward_counts[c.area] += 1
    wards = sorted(a for a, n in ward_counts.items() if n >= WARD_MIN)
    area = filters.area if filters.area in wards else None
    for c in rows:
        if c.status != ContributionStatus.PUBLISHED:
            continue
        group = groups.get(c.item_id, groups[None])
        shown = as_json(contribution_view(c))
        if c.kind == Kind.QUESTION:
            group.questions.append(shown)
        elif c.kind == Kind.POST:
            group.posts.append(shown)
        else:
            group.comments_total += 1
            if c.position in group.positions:
                group.positions[c.position] += 1
            if filters.position and c.position != filters.position:
                continue
            if area and c.area != area:
                continue
            if (since and c.created_at < since) or (until and c.created_at >= until):
                continue
            group.comments.append(shown)
    for group in groups.values():
        group.questions.sort(key=lambda q: (-q["votes"], q["id"]))
    chosen = list(groups.values())
    if item_id is not None:
        below = _subtree(items, item_id)
        chosen = [g for g in chosen if g.item is not None and g.item["id"] in below]
    timeline, before, after = _timeline(items, rows)
    starts = sorted(
        (i.started_at, i.number or str(i.position)) for i in items if i.started_at is not None
    )
    areas = Counter(c.area for c in rows if c.area and c.kind != Kind.POST)
    return Review(
        items=chosen,
        timeline=timeline,
        before=before,
        after=after,
        starts=starts,
        areas=[
            {"area": a, "count": n}
            for a, n in sorted(areas.items(), key=lambda an: (-an[1], an[0]))
        ],
        wards=wards,
        filters=Filters(filters.position, area, filters.since, filters.until),
    )


def _subtree(items: list[AgendaItem], root: int) -> set[int]:
    found, todo = {root}, [root]
    while todo:
        parent = todo.pop()
        for i in items:
            if i.parent_id == parent and i.id not in found:
                found.add(i.id)
                todo.append(i.id)
    return found if any(i.id == root for i in items) else set()


def _timeline(
    items: list[AgendaItem], rows: list[Contribution]
) -> tuple[list[tuple[datetime, int]], int, int]:
    """Per minute, from the first item taken up to the last one finished (now, while one is
    being discussed); residents' submissions only (posts are counted with their items)."""
    started = [i.started_at for i in items if i.started_at is not None]
    if not started:
        return [], 0, 0
    ended = [i.ended_at for i in items if i.ended_at is not None]
    current = any(i.status == ItemStatus.CURRENT for i in items)
    first = _minute(min(started))
    last = _minute(utcnow() if current or not ended else max(*ended, *started))
    if last - first > timedelta(minutes=TIMELINE_MAX_MINUTES):
        last = first + timedelta(minutes=TIMELINE_MAX_MINUTES)
    counts = [0] * (int((last - first).total_seconds() // 60) + 1)
    before = after = 0
    for c in rows:
        if c.kind == Kind.POST:
            continue
        at = _minute(c.created_at)
        if at < first:
            before += 1
        elif at > last:
            after += 1
        else:
            counts[int((at - first).total_seconds() // 60)] += 1
    return [(first + timedelta(minutes=i), n) for i, n in enumerate(counts)], before, after
