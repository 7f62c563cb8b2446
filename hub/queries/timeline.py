"""Which agenda item was being discussed at a given time, from the meeting's event log.

The log is the record of when each item was current (``agenda.item.updated`` events with their
times): an item taken twice (deferred, then resumed) has two spans, which its row's single
``started_at``/``ended_at`` cannot say. A social post is tied to the item current when it was
posted (hub/actions/social.py), however late the poller fetched it.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.events.schema import AgendaItemUpdated, MeetingUpdated
from hub.models import ItemStatus, MeetingEvent


@dataclass(frozen=True)
class Span:
    item_id: int
    start: datetime
    end: datetime | None  # None: still current


class Timeline:
    def __init__(self, spans: list[Span]) -> None:
        self.spans = spans
        self._starts = [s.start for s in spans]

    def item_at(self, when: datetime) -> int | None:
        """The item current at ``when``, or None (before the first, between items, after)."""
        i = bisect.bisect_right(self._starts, when) - 1
        if i < 0:
            return None
        span = self.spans[i]
        return span.item_id if span.end is None or when < span.end else None


async def item_timeline(session: AsyncSession, meeting_id: int) -> Timeline:
    rows = await session.execute(
        select(MeetingEvent.at, MeetingEvent.envelope)
        .where(
            MeetingEvent.meeting_id == meeting_id,
            MeetingEvent.type == AgendaItemUpdated.type,
        )
        .order_by(MeetingEvent.seq)
    )
    spans: list[Span] = []
    open_item: int | None = None
    opened: datetime | None = None
    for at, envelope in rows:
        item = json.loads(envelope).get("data", {}).get("item") or {}
        item_id, status = item.get("id"), item.get("status")
        if status == ItemStatus.CURRENT and item_id != open_item:
            if open_item is not None and opened is not None:
                spans.append(Span(open_item, opened, at))
            open_item, opened = item_id, at
        elif open_item is not None and item_id == open_item and status != ItemStatus.CURRENT:
            assert opened is not None
            spans.append(Span(open_item, opened, at))
            open_item, opened = None, None
    if open_item is not None and opened is not None:
        spans.append(Span(open_item, opened, None))
    return Timeline(spans)


async def opened_at(session: AsyncSession, meeting_id: int) -> datetime | None:
    """When the meeting first went into session (its first ``meeting.updated`` saying ``live``):
    where its recording starts, for links to the moment each item was taken up."""
    rows = await session.execute(
        select(MeetingEvent.at, MeetingEvent.envelope)
        .where(MeetingEvent.meeting_id == meeting_id, MeetingEvent.type == MeetingUpdated.type)
        .order_by(MeetingEvent.seq)
    )
    for at, envelope in rows:
        if (json.loads(envelope).get("data", {}).get("meeting") or {}).get("status") == "live":
            return at
    return None
