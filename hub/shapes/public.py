"""What everyone sees: meetings, agenda items and published contributions, in the snapshot and
in the public events that update it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hub.models import AgendaItem, Contribution, Meeting, MeetingStatus, iso


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
    # Counts the item's changes: the clerk's console sends it back with an action, which is
    # refused (409) if the item changed since (hub/actions/agenda.py).
    version: int


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
    # When the meeting takes comments and questions (hub/policy.py's meeting_window, which the
    # page applies with its own clock): never once it is closed or cancelled; not after
    # ``submissions_close_at``; from ``submissions_open_at`` if set; else, while
    # ``submissions_wait_for_opening``, only once the clerk opens the meeting; else now.
    submissions_open_at: str | None
    submissions_close_at: str | None
    submissions_wait_for_opening: bool
    # Counts changes of ``status``: the console's meeting actions send it back (409 if stale).
    status_version: int


@dataclass(frozen=True)
class WrittenView:
    """What every audience sees of a contribution: what was written, about which item (None:
    the meeting in general), under which name (None: show "A resident"). The three views of a
    contribution (public, own, staff) extend it."""

    id: int
    item_id: int | None
    kind: str
    position: str | None
    body: str
    display_name: str | None


@dataclass(frozen=True)
class ContributionView(WrittenView):
    """What everyone sees of a published comment or question."""

    votes: int
    answered: bool
    published_at: str | None


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
        version=item.version,
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
        submissions_open_at=iso(meeting.submissions_open_at),
        submissions_close_at=iso(meeting.submissions_close_at),
        submissions_wait_for_opening=(
            meeting.submissions_open_at is None
            and meeting.status == MeetingStatus.SCHEDULED
            and meeting.council.submissions_open == "meeting"
        ),
        status_version=meeting.status_version,
    )


def written(c: Contribution) -> dict[str, Any]:
    """What every audience sees of a contribution: what was written, about which item, under
    which name (the fields its three views share)."""
    return {
        "id": c.id,
        "item_id": c.item_id,
        "kind": c.kind,
        "position": c.position,
        "body": c.body,
        "display_name": c.display_name,
    }


def created_at(c: Contribution) -> str:
    created = iso(c.created_at)
    assert created is not None  # stored with every row
    return created


def contribution_view(c: Contribution) -> ContributionView:
    return ContributionView(
        **written(c),
        votes=c.votes,
        answered=c.answered,
        published_at=iso(c.published_at),
    )
