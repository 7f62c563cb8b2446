"""What one resident sees of their own submissions (their socket's participant events and
``GET .../contributions/mine``)."""

from __future__ import annotations

from dataclasses import dataclass

from hub.models import Contribution
from hub.shapes.public import WrittenView, created_at, written


@dataclass(frozen=True)
class OwnContributionView(WrittenView):
    """What the resident who wrote it sees: its status and, if refused, the reason."""

    status: str
    reason: str | None  # reason code; the page shows its label
    reason_label: str | None
    created_at: str


def own_view(c: Contribution, reason_label: str | None) -> OwnContributionView:
    return OwnContributionView(
        **written(c),
        status=c.status,
        reason=c.reason,
        reason_label=reason_label,
        created_at=created_at(c),
    )
