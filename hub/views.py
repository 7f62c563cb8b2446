"""The public JSON shapes of meetings and agenda items (snapshot and event payloads alike).

One function builds each shape, so the snapshot and the events that update it can never drift.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, datetime
from typing import Any

from hub.models import AgendaItem, Contribution, Meeting


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
    data: dict[str, Any] = plain(view)
    return data


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_SCALARS = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """Views (and events) as JSON-ready data, as ``dataclasses.asdict`` gives them but without
    its deep copy of every leaf: views hold only immutable values, so there is nothing to copy,
    and every event and every submission's answer passes through here (about 5x faster)."""
    cls = type(value)
    if cls in _SCALARS:
        return value
    names = _FIELD_NAMES.get(cls)
    if names is None and is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(value))
    if names is not None:
        out = {}
        for name in names:
            item = getattr(value, name)
            out[name] = item if type(item) in _SCALARS else plain(item)
        return out
    if isinstance(value, list | tuple):
        return type(value)(plain(v) for v in value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


# ---- contributions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ContributionView:
    """What everyone sees of a published comment or question."""

    id: int
    item_id: int | None
    kind: str
    position: str | None
    body: str
    display_name: str | None  # None: show "A resident"
    votes: int
    answered: bool
    published_at: str | None


@dataclass(frozen=True)
class OwnContributionView:
    """What the resident who wrote it sees: its status and, if refused, the reason."""

    id: int
    item_id: int | None
    kind: str
    position: str | None
    body: str
    display_name: str | None
    status: str
    reason: str | None  # reason code; the page shows its label
    reason_label: str | None
    created_at: str


@dataclass(frozen=True)
class StaffContributionView:
    """What clerks see in the moderation queue. ``participant`` is a short pseudonym, never the
    id in the resident's cookie. The resident's ward or district is not here: staff see areas
    only in aggregate (``moderation_state``'s ``areas``)."""

    id: int
    item_id: int | None
    kind: str
    position: str | None
    body: str
    display_name: str | None
    status: str
    screening: str | None
    reason: str | None
    answered: bool
    votes: int
    participant: str
    created_at: str
    moderated_at: str | None
    moderated_by: str | None


def pseudonym(participant_id: str) -> str:
    """A stable short name for staff ("P-1a2b3c") that cannot be turned back into the id."""
    return "P-" + hashlib.sha256(participant_id.encode()).hexdigest()[:6]


def contribution_view(c: Contribution) -> ContributionView:
    return ContributionView(
        id=c.id,
        item_id=c.item_id,
        kind=c.kind,
        position=c.position,
        body=c.body,
        display_name=c.display_name,
        votes=c.votes,
        answered=c.answered,
        published_at=iso(c.published_at),
    )


def own_view(c: Contribution, reason_label: str | None) -> OwnContributionView:
    created = iso(c.created_at)
    assert created is not None
    return OwnContributionView(
        id=c.id,
        item_id=c.item_id,
        kind=c.kind,
        position=c.position,
        body=c.body,
        display_name=c.display_name,
        status=c.status,
        reason=c.reason,
        reason_label=reason_label,
        created_at=created,
    )


def staff_view(c: Contribution, moderated_by: str | None) -> StaffContributionView:
    created = iso(c.created_at)
    assert created is not None
    return StaffContributionView(
        id=c.id,
        item_id=c.item_id,
        kind=c.kind,
        position=c.position,
        body=c.body,
        display_name=c.display_name,
        status=c.status,
        screening=c.screening,
        reason=c.reason,
        answered=c.answered,
        votes=c.votes,
        participant=pseudonym(c.participant_id),
        created_at=created,
        moderated_at=iso(c.moderated_at),
        moderated_by=moderated_by,
    )
