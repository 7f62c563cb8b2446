"""A clerk moves a submission or a social post to another agenda item, or to the meeting in
general: a resident chose the wrong item, a post was tied to the item current when it was
posted but is about another.

Only what is waiting or published moves (a rejected or taken-down one is no longer anyone's
concern). The meeting row is locked like every moderation action, so a move and another clerk's
decision on the same entry serialise; the move is written to the moderation log. Events:
- ``moderation.item`` (staff, action ``move``): every clerk's queue shows the new item;
- ``contribution.updated`` (public) when it is published: its view, with its new ``item_id``,
  replaces the old one, so pages and the chamber screen show it under its new item (a client
  that replaces by id needs nothing new);
- ``contribution.mine`` to the resident who wrote it (not for a post: its author has no page
  here), so their own list says what it is now about.
"""

from __future__ import annotations

from hub.actions import Conflict, Invalid, NotFound
from hub.actions._locks import Actor, lock_meeting
from hub.actions.moderation import is_blocked
from hub.events.publish import Writer
from hub.events.schema import (
    ContributionUpdated,
    Event,
    ModerationItemUpdated,
    OwnContributionUpdated,
)
from hub.i18n import gettext_ as _
from hub.models import (
    AgendaItem,
    Contribution,
    ContributionStatus,
    Kind,
    ModerationLog,
    StaffUser,
    utcnow,
)
from hub.policy import policy_of
from hub.shapes.own import own_view
from hub.shapes.public import contribution_view
from hub.shapes.staff import pseudonym, staff_view

MOVABLE = frozenset({ContributionStatus.PENDING, ContributionStatus.PUBLISHED})
GENERAL = "general"  # where a move to the meeting in general is logged to


def destination(item_id: int | None) -> str:
    """Where a move went, as the moderation log and the staff event record it (in ``reason``):
    ``item:12``, or ``general``."""
    return GENERAL if item_id is None else f"item:{item_id}"


async def move(
    w: Writer, meeting_id: int, contribution_id: int, item_id: int | None, actor: Actor
) -> Contribution:
    """File contribution ``contribution_id`` under agenda item ``item_id`` (None: the meeting
    in general)."""
    meeting = await lock_meeting(w, meeting_id)
    c = await w.session.get(Contribution, contribution_id)
    if c is None or c.meeting_id != meeting_id:
        raise NotFound(_("There is no such submission in this meeting."))
    if item_id is not None:
        item = await w.session.get(AgendaItem, item_id)
        if item is None or item.meeting_id != meeting_id:
            raise Invalid(_("There is no such item in this meeting."))
    if ContributionStatus(c.status) not in MOVABLE:
        raise Conflict(_("Only submissions waiting or published can be moved."))
    if c.item_id == item_id:
        raise Conflict(_("It is there already."))
    c.item_id = item_id
    now = utcnow()
    w.session.add(
        ModerationLog(
            meeting_id=meeting_id,
            contribution_id=c.id,
            participant=pseudonym(c.participant_id),
            actor_id=actor.user_id,
            actor_name=actor.display_name,
            action="move",
            reason=destination(item_id),
            at=now,
        )
    )
    await w.session.flush()
    events: list[tuple[Event, str | None]] = []
    if c.status == ContributionStatus.PUBLISHED:
        events.append((ContributionUpdated(contribution=contribution_view(c)), None))
    decider = await w.session.get(StaffUser, c.moderated_by) if c.moderated_by else None
    events.append(
        (
            ModerationItemUpdated(
                contribution=staff_view(
                    c,
                    decider.display_name if decider is not None else None,
                    blocked=await is_blocked(w, meeting_id, c.participant_id),
                ),
                action="move",
                actor=actor.display_name,
                reason=destination(item_id),
            ),
            None,
        )
    )
    if c.kind != Kind.POST:
        label = policy_of(meeting.council).reasons.get(c.reason) if c.reason else None
        own = own_view(c, _(label) if label else None)
        events.append((OwnContributionUpdated(contribution=own), c.participant_id))
    await w.emit_many(meeting_id, events)
    return c
