"""The public JSON shapes of meetings and agenda items (snapshot and event payloads alike).

One function builds each shape, so the snapshot and the events that update it can never drift.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from hub.models import AgendaItem, Meeting


def iso(dt: datetime | None) -> str | None:
    """RFC 3339 in UTC with milliseconds and a Z, as every timestamp in the API."""
    if dt is None:
        return None
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class ItemView:
    id: int
    parent_id: int | None
    position: int
    number: str
    title: str
    description: str
    status: str
    outcome: str | None
    started_at: str | None
    ended_at: str | None


@dataclass(frozen=True)
class MeetingView:
    id: int
    council_slug: str
    council_name: str
    timezone: str
    language: str
    title: str
    body_name: str
    starts_at: str
    location: str
    webcast_url: str | None
    status: str


def item_view(item: AgendaItem) -> ItemView:
    return ItemView(
        id=item.id,
        parent_id=item.parent_id,
        position=item.position,
        number=item.number,
        title=item.title,
        description=item.description,
        status=item.status,
        outcome=item.outcome,
        started_at=iso(item.started_at),
        ended_at=iso(item.ended_at),
    )


def meeting_view(meeting: Meeting) -> MeetingView:
    starts_at = iso(meeting.starts_at)
    assert starts_at is not None
    return MeetingView(
        id=meeting.id,
        council_slug=meeting.council.slug,
        council_name=meeting.council.name,
        timezone=meeting.council.timezone,
        language=meeting.council.default_language,
        title=meeting.title,
        body_name=meeting.body_name,
        starts_at=starts_at,
        location=meeting.location,
        webcast_url=meeting.webcast_url,
        status=meeting.status,
    )


def as_json(view: Any) -> dict[str, Any]:
    return asdict(view)
