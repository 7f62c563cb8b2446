"""What one resident sees of their own submissions (their socket's participant events and
``GET .../contributions/mine``)."""

from __future__ import annotations

from dataclasses import dataclass

from hub.models import Contribution, iso


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
