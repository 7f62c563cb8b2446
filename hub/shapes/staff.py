"""What clerks see of a submission in the moderation queue."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from hub.models import Contribution, iso
from hub.shapes.public import WrittenView, created_at, written


@dataclass(frozen=True)
class StaffContributionView(WrittenView):
    """What clerks see in the moderation queue. ``participant`` is a short pseudonym, never the
    id in the resident's cookie. The resident's ward or district is not here: staff see areas
    only in aggregate (``area_totals`` in hub/queries/moderation.py)."""

    status: str
    screening: str | None
    reason: str | None
    answered: bool
    votes: int
    participant: str
    created_at: str
    moderated_at: str | None
    moderated_by: str | None
    # The participant is blocked in this meeting: the queue marks it and approving is refused.
    blocked: bool = False


def pseudonym(participant_id: str) -> str:
    """A stable short name for staff ("P-1a2b3c") that cannot be turned back into the id."""
    return "P-" + hashlib.sha256(participant_id.encode()).hexdigest()[:6]


def staff_view(
    c: Contribution, moderated_by: str | None, blocked: bool = False
) -> StaffContributionView:
    return StaffContributionView(
        **written(c),
        status=c.status,
        screening=c.screening,
        reason=c.reason,
        answered=c.answered,
        votes=c.votes,
        participant=pseudonym(c.participant_id),
        created_at=created_at(c),
        moderated_at=iso(c.moderated_at),
        moderated_by=moderated_by,
        blocked=blocked,
    )
