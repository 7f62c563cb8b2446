"""Clerks' moderation actions. Each locks the meeting row, so two clerks acting on the same
submission at once are serialised: the first acts, the second finds the new state and gets a
Conflict saying who already acted (never two events). Every action is written to the
moderation log in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from hub.actions import Conflict, Invalid, NotFound
from hub.actions._locks import Actor, lock_meeting
from hub.actions.redaction import redact_contribution
from hub.events.publish import Writer
from hub.events.schema import (
    ContributionPublished,
    ContributionRemoved,
    ContributionUpdated,
    Event,
    ModerationItemUpdated,
    OwnContributionUpdated,
    SpotlightChanged,
)
from hub.i18n import gettext_ as _
from hub.models import (
    Contribution,
    ContributionStatus,
    Kind,
    Meeting,
    ModerationLog,
    ParticipantBlock,
    SocialPost,
    StaffUser,
    utcnow,
)
from hub.policy import policy_of
from hub.shapes.own import own_view
from hub.shapes.public import contribution_view
from hub.shapes.staff import pseudonym, staff_view

ACTIONS = ("approve", "reject", "hide", "answer", "unanswer", "spotlight", "unspotlight", "block")
NEEDS_REASON = frozenset({"reject", "hide"})
BULK_ACTIONS = frozenset({"approve", "reject"})
BULK_MAX = 200
REASON_MAX_CHARS = 64  # the reason columns (contributions, blocks, the moderation log)
# A clerk's decision on a submission: the status it applies to, and the status it leaves.
DECISIONS = {
    "approve": (ContributionStatus.PENDING, ContributionStatus.PUBLISHED),
    "reject": (ContributionStatus.PENDING, ContributionStatus.REJECTED),
    "hide": (ContributionStatus.PUBLISHED, ContributionStatus.HIDDEN),
}


@dataclass(frozen=True)
class Outcome:
    contribution_id: int
    ok: bool
    message: str | None = None


class BlockedAuthor(Conflict):
    """Approving a blocked participant's submission: refused, not merely confirmed. A block
    means nothing more of theirs reaches the meeting; a confirmation would be clicked through
    in a fast queue (or skipped by a bulk approve), which is how one reached the chamber."""

    code = "blocked"


class NotPublic(Conflict):
    """Approving a social post whose author asked not to be shown to logged-out viewers
    (Bluesky's ``!no-unauthenticated``): never published, whoever asks."""

    code = "not_public"


async def _public_ok(w: Writer, c: Contribution) -> bool:
    post = await w.session.get(SocialPost, c.id)
    return post is None or post.public_ok


async def is_blocked(w: Writer, meeting_id: int, participant_id: str) -> bool:
    return await w.session.get(ParticipantBlock, (meeting_id, participant_id)) is not None


async def _moderator_name(w: Writer, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = await w.session.get(StaffUser, user_id)
    return user.display_name if user is not None else None


async def _conflict(w: Writer, c: Contribution) -> Conflict:
    who = await _moderator_name(w, c.moderated_by)
    state = {
        ContributionStatus.PUBLISHED: _("already published"),
        ContributionStatus.REJECTED: _("already rejected"),
        ContributionStatus.HIDDEN: _("already taken down"),
        ContributionStatus.PENDING: _("still waiting for moderation"),
    }[ContributionStatus(c.status)]
    if who:
        return Conflict(
            _("This submission is %(state)s (by %(who)s).") % {"state": state, "who": who}
        )
    return Conflict(_("This submission is %(state)s.") % {"state": state})


async def moderate(
    w: Writer,
    meeting_id: int,
    contribution_id: int,
    action: str,
    actor: Actor,
    reason: str | None = None,
    *,
    pin: bool = False,
    reject_pending: bool = False,
) -> Contribution:
    """One clerk's action on one submission. ``pin`` (spotlight): the question stays on the
    screen when the current item changes. ``reject_pending`` (block): the participant's
    submissions still waiting are rejected too, with ``reason``, in the same transaction."""
    if action not in ACTIONS:
        raise Invalid(_("Unknown moderation action."))
    meeting = await lock_meeting(w, meeting_id)
    c = await w.session.get(Contribution, contribution_id)
    if c is None or c.meeting_id != meeting_id:
        raise NotFound(_("There is no such submission in this meeting."))
    policy = policy_of(meeting.council)
    reason = (reason or "").strip() or None
    if action in NEEDS_REASON and reason not in policy.reasons:
        raise Invalid(_("Choose a reason from the list."))
    now = utcnow()
    status = ContributionStatus(c.status)
    public_events: list[Event] = []
    notify_author = False

    if action in DECISIONS:
        applies_to, becomes = DECISIONS[action]
        if status is not applies_to:
            raise await _conflict(w, c)
        if action == "approve" and c.kind == Kind.POST and not await _public_ok(w, c):
            raise NotPublic(
                _(
                    "Its author asked not to be shown to people who are not signed in, so it "
                    "cannot be published. Reject it instead."
                )
            )
        if action == "approve" and await is_blocked(w, meeting_id, c.participant_id):
            raise BlockedAuthor(
                _(
                    "This participant is blocked in this meeting, so their submissions are not "
                    "published. Reject it instead."
                )
            )
        c.status = becomes.value
        notify_author = c.kind != Kind.POST  # a post's author has no page here to tell
        if becomes is ContributionStatus.PUBLISHED:
            c.published_at = now
            public_events.append(ContributionPublished(contribution=contribution_view(c)))
        else:
            c.reason = reason
        if status is ContributionStatus.PUBLISHED:  # taken down: off every page and screen
            public_events.append(ContributionRemoved(id=c.id))
            if meeting.spotlight_id == c.id:
                meeting.spotlight_id = None
                meeting.spotlight_pinned = False
                public_events.append(SpotlightChanged(contribution=None))
    elif action == "block":
        await _block(w, meeting, c, actor, reason, reject_pending, policy.reasons)
    else:
        spotlit = action in ("spotlight", "unspotlight") and c.kind == Kind.POST
        if status is not ContributionStatus.PUBLISHED or (c.kind != Kind.QUESTION and not spotlit):
            raise Conflict(_("Only published questions can be answered or spotlighted."))
        if action in ("answer", "unanswer"):
            wanted = action == "answer"
            if c.answered == wanted:
                raise Conflict(_("Nothing to change."))
            c.answered = wanted
            public_events.append(ContributionUpdated(contribution=contribution_view(c)))
        elif action == "spotlight":
            if meeting.spotlight_id == c.id and meeting.spotlight_pinned == pin:
                raise Conflict(_("This question is already on the screen."))
            meeting.spotlight_id = c.id
            meeting.spotlight_pinned = pin
            public_events.append(SpotlightChanged(contribution=contribution_view(c), pinned=pin))
        else:  # unspotlight
            if meeting.spotlight_id != c.id:
                raise Conflict(_("This question is not on the screen."))
            meeting.spotlight_id = None
            meeting.spotlight_pinned = False
            public_events.append(SpotlightChanged(contribution=None))

    if action != "block":
        c.moderated_at = now
        c.moderated_by = actor.user_id
    w.session.add(
        ModerationLog(
            meeting_id=meeting_id,
            contribution_id=c.id,
            participant=pseudonym(c.participant_id),
            actor_id=actor.user_id,
            actor_name=actor.display_name,
            action=action,
            reason=reason,
            at=now,
        )
    )
    await w.session.flush()
    events: list[tuple[Event, str | None]] = [(event, None) for event in public_events]
    events.append(
        (
            ModerationItemUpdated(
                contribution=staff_view(
                    c,
                    actor.display_name
                    if c.moderated_by == actor.user_id
                    else await _moderator_name(w, c.moderated_by),
                    blocked=await is_blocked(w, meeting_id, c.participant_id),
                ),
                action=action,
                actor=actor.display_name,
                reason=reason,
            ),
            None,
        )
    )
    if notify_author:
        label = policy.reasons.get(c.reason) if c.reason else None
        events.append(
            (
                OwnContributionUpdated(contribution=own_view(c, _(label) if label else None)),
                c.participant_id,
            )
        )
    await w.emit_many(meeting_id, events)  # one seq allocation and one INSERT for them all
    if action == "hide":
        # Taken down: no replay, socket resume or /events page serves its text again (the row
        # keeps it for the clerks' record until the council's retention period ends).
        await redact_contribution(w, meeting_id, c.id)
    return c


async def _block(
    w: Writer,
    meeting: Meeting,
    c: Contribution,
    actor: Actor,
    reason: str | None,
    reject_pending: bool,
    reasons: dict[str, str],
) -> None:
    if await is_blocked(w, meeting.id, c.participant_id):
        raise Conflict(_("This participant is already blocked for this meeting."))
    waiting: list[Contribution] = []
    if reject_pending:
        waiting = list(
            await w.session.scalars(
                select(Contribution)
                .where(
                    Contribution.meeting_id == meeting.id,
                    Contribution.participant_id == c.participant_id,
                    Contribution.status == ContributionStatus.PENDING.value,
                )
                .order_by(Contribution.id)
            )
        )
        if waiting and reason not in reasons:
            raise Invalid(_("Choose a reason for rejecting their waiting submissions."))
    w.session.add(
        ParticipantBlock(
            meeting_id=meeting.id,
            participant_id=c.participant_id,
            reason=reason,
            blocked_by=actor.user_id,
        )
    )
    await w.session.flush()  # blocked before the rejections: their views say so
    for pending in waiting:
        # Each is an ordinary rejection: its own log row, queue event and note to its author.
        await moderate(w, meeting.id, pending.id, "reject", actor, reason)


async def bulk(
    w: Writer,
    meeting_id: int,
    contribution_ids: list[int],
    action: str,
    actor: Actor,
    reason: str | None = None,
) -> list[Outcome]:
    """Approve or reject many at once; each succeeds or reports its own conflict."""
    if action not in BULK_ACTIONS:
        raise Invalid(_("Only approve and reject can be done in bulk."))
    if not contribution_ids or len(contribution_ids) > BULK_MAX:
        raise Invalid(_("Select between 1 and %(max)d submissions.") % {"max": BULK_MAX})
    outcomes = []
    for cid in dict.fromkeys(contribution_ids):
        try:
            async with w.session.begin_nested():
                await moderate(w, meeting_id, cid, action, actor, reason)
            outcomes.append(Outcome(cid, True))
        except (Conflict, NotFound) as exc:
            outcomes.append(Outcome(cid, False, exc.message))
    return outcomes
