"""What clerks see of a submission in the moderation queue."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from hub.models import Contribution, SocialSource, iso
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


# A social source's state, as staff read it (hub/web/labels.py words each).
SOURCE_STATES = ("disabled", "stopped", "rate_limited", "failing", "ok", "waiting")


@dataclass(frozen=True)
class SourceHealthView:
    """How one of a council's social sources is doing, for its clerks: never its credentials,
    only whether they are set. ``state`` is one of SOURCE_STATES; ``rate_limit_reset_at`` is
    the reset the platform announced (or, when it announced none, when the hub tries again)."""

    id: int
    name: str
    platform: str
    base_url: str | None
    state: str
    credentials_set: bool
    last_attempt_at: str | None
    last_success_at: str | None
    posts_fetched: int
    failures: int
    last_error: str | None
    next_poll_at: str | None
    rate_limit_reset_at: str | None
    stopped_reason: str | None


def source_state(source: SocialSource) -> str:
    if not source.enabled:
        return "disabled"
    if source.stopped_reason:
        return "stopped"
    if source.failures and source.rate_limit_reset_at is not None:
        return "rate_limited"
    if source.failures:
        return "failing"
    return "ok" if source.last_success_at is not None else "waiting"


def source_health(source: SocialSource) -> SourceHealthView:
    return SourceHealthView(
        id=source.id,
        name=source.name,
        platform=source.platform,
        base_url=source.base_url,
        state=source_state(source),
        credentials_set=bool(source.credentials),
        last_attempt_at=iso(source.last_attempt_at),
        last_success_at=iso(source.last_success_at),
        posts_fetched=source.posts_fetched or 0,
        failures=source.failures or 0,
        last_error=source.last_error,
        next_poll_at=iso(source.next_poll_at),
        rate_limit_reset_at=iso(source.rate_limit_reset_at),
        stopped_reason=source.stopped_reason,
    )
