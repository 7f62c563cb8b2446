"""Social posts found gone: withdrawn when their source says they were deleted (the poller's
re-check), or when a clerk sees it (X posts are not re-checked: each read is billed).

A published post is taken down (off every page and screen, its text and attribution redacted from
the log); a waiting one leaves the queue. Storing posts is hub/actions/social.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from hub.actions import Conflict, Invalid, NotFound
from hub.actions._locks import Actor, lock_meeting
from hub.actions.redaction import redact_contribution
from hub.events.publish import Writer
from hub.events.schema import (
    ContributionRemoved,
    Event,
    ModerationItemUpdated,
    SpotlightChanged,
)
from hub.i18n import gettext_ as _
from hub.models import Contribution, ContributionStatus, Kind, ModerationLog, SocialPost
from hub.shapes.staff import pseudonym, staff_view

# The reason a post found deleted at its source is withdrawn with (hub/policy.py labels it).
GONE_REASON = "deleted_at_source"


async def withdraw_gone(
    w: Writer,
    meeting_id: int,
    contribution_ids: Iterable[int],
    now: datetime,
    actor: Actor | None = None,
) -> list[int]:
    """Posts found deleted at their source leave the meeting: a published one is taken down
    (off every page and screen, its text and attribution redacted from the log), a waiting one
    leaves the queue. Returns the ids withdrawn (ones already withdrawn are skipped).
    ``actor``: the clerk who found it gone (None: the hub's re-check)."""
    meeting = await lock_meeting(w, meeting_id)
    withdrawn: list[int] = []
    for cid in sorted(set(contribution_ids)):
        sp = await w.session.get(SocialPost, cid)
        c = await w.session.get(Contribution, cid)
        if sp is None or c is None or c.meeting_id != meeting_id or sp.gone_at is not None:
            continue
        sp.gone_at = now
        events: list[tuple[Event, str | None]] = []
        status = ContributionStatus(c.status)
        if status is ContributionStatus.PUBLISHED:
            c.status = ContributionStatus.HIDDEN.value
            events.append((ContributionRemoved(id=c.id), None))
            if meeting.spotlight_id == c.id:
                meeting.spotlight_id = None
                meeting.spotlight_pinned = False
                events.append((SpotlightChanged(contribution=None), None))
        elif status is ContributionStatus.PENDING:
            c.status = ContributionStatus.REJECTED.value
        c.reason = GONE_REASON
        c.moderated_at = now
        c.moderated_by = actor.user_id if actor is not None else None
        w.session.add(
            ModerationLog(
                meeting_id=meeting_id,
                contribution_id=c.id,
                participant=pseudonym(c.participant_id),
                actor_id=actor.user_id if actor is not None else None,
                actor_name=actor.display_name if actor is not None else "Council Hub",
                action="withdraw",
                reason=GONE_REASON,
                at=now,
            )
        )
        await w.session.flush()
        name = actor.display_name if actor is not None else None
        events.append(
            (
                ModerationItemUpdated(
                    contribution=staff_view(c, name),
                    action="withdraw",
                    actor=name,
                    reason=GONE_REASON,
                ),
                None,
            )
        )
        await w.emit_many(meeting_id, events)
        await redact_contribution(w, meeting_id, c.id)
        withdrawn.append(c.id)
    return withdrawn


async def mark_checked(w: Writer, contribution_ids: Sequence[int], now: datetime) -> None:
    """Posts re-checked at their source and still there."""
    for cid in contribution_ids:
        sp = await w.session.get(SocialPost, cid)
        if sp is not None:
            sp.checked_at = now


async def withdraw_deleted(
    w: Writer, meeting_id: int, contribution_id: int, actor: Actor, now: datetime
) -> None:
    """A clerk saw that a post was deleted at its source (X posts are not re-checked: each
    read is billed) and withdraws it in one action, as the re-check would: off every page and
    screen, its text and attribution redacted from the log, not polled again."""
    await lock_meeting(w, meeting_id)
    c = await w.session.get(Contribution, contribution_id)
    if c is None or c.meeting_id != meeting_id:
        raise NotFound(_("There is no such submission in this meeting."))
    if c.kind != Kind.POST or await w.session.get(SocialPost, c.id) is None:
        raise Invalid(_("Only social media posts can be withdrawn as deleted at their source."))
    if ContributionStatus(c.status) not in (
        ContributionStatus.PENDING,
        ContributionStatus.PUBLISHED,
    ):
        raise Conflict(_("This post has been decided already: it is not on any page."))
    await withdraw_gone(w, meeting_id, [c.id], now, actor)
