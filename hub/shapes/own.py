"""What one resident sees of their own submissions (their socket's participant events and
``GET .../contributions/mine``)."""

from __future__ import annotations

import base64
import hashlib
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


@dataclass(frozen=True)
class Mine:
    """A resident's own submissions in a meeting, and the ids of the questions they voted for."""

    contributions: list[OwnContributionView]
    votes: list[int]


def own_view(c: Contribution, reason_label: str | None) -> OwnContributionView:
    return OwnContributionView(
        **written(c),
        status=c.status,
        reason=c.reason,
        reason_label=reason_label,
        created_at=created_at(c),
    )


def participant_code(participant_id: str) -> str:
    """What a resident's page shows them to quote in a privacy request ("7KQ2M-XW4PA"): it
    identifies their submissions to the council without being the id in their cookie (which
    would let anyone holding it post as them)."""
    digest = hashlib.sha256(f"participant-code:{participant_id}".encode()).digest()
    # Base32 encodes each 5 bytes on their own: the first 10 letters are those of 10 bytes.
    letters = base64.b32encode(digest[:10]).decode()[:10]
    return f"{letters[:5]}-{letters[5:]}"
