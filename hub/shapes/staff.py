"""What clerks see of a submission in the moderation queue."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from hub.models import Contribution, iso


@dataclass(frozen=True)
class StaffContributionView:
    """What clerks see in the moderation queue. ``participant`` is a short pseudonym, never the
    id in the resident's cookie. The resident's ward or district is not here: staff see areas
    only in aggregate (``area_totals`` in hub/queries/moderation.py)."""

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
