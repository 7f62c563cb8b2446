"""Residents' actions: submit a comment or question, vote on a question.

A submission is committed before it is acknowledged (the route answers 201 only after the
transaction); a retry with the same client token returns the same submission instead of a
second one, so a resident's page can retry a failed send without fear of duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from hub.actions import ActionError, Conflict, Invalid, NotFound
from hub.actions.meetings import lock_meeting
from hub.events.publish import Writer
from hub.events.schema import (
    ContributionPublished,
    ContributionUpdated,
    ModerationItemUpdated,
    OwnContributionUpdated,
)
from hub.i18n import gettext_ as _
from hub.models import (
    AgendaItem,
    Contribution,
    ContributionStatus,
    ItemStatus,
    Kind,
    Meeting,
    ParticipantBlock,
    Position,
    Vote,
    utcnow,
)
from hub.moderation import body_key, screen
from hub.policy import CLOSED_MESSAGES, Policy, item_window, meeting_window, policy_of
from hub.views import contribution_view, own_view, staff_view

NAME_MAX_CHARS = 60
AREA_MAX_CHARS = 60
TOKEN_MAX_CHARS = 64


class Forbidden(ActionError):
    status = 403
    code = "blocked"


class WindowClosed(ActionError):
    status = 409
    code = "closed"


@dataclass(frozen=True)
class Submission:
    """What a resident sent, already typed; ``check`` enforces the hard limits."""

    kind: str
    body: str
    position: str | None = None
    item_id: int | None = None
    # True: about the meeting in general, even while an item is being discussed. Otherwise no
    # item_id means the item being discussed.
    general: bool = False
    display_name: str | None = None
    area: str | None = None
    client_token: str = ""


def _clean(value: str | None, limit: int, what: str) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    if len(value) > limit:
        raise Invalid(
            _("%(what)s is longer than %(limit)d characters") % {"what": what, "limit": limit}
        )
    return value or None


def check(sub: Submission, policy: Policy) -> Submission:
    """Refuse what can never be accepted, with a message the resident can act on."""
    try:
        kind = Kind(sub.kind)
    except ValueError:
        raise Invalid(_("Choose a comment or a question.")) from None
    position = sub.position or None
    if kind is Kind.COMMENT:
        try:
            position = Position(position or "").value
        except ValueError:
            raise Invalid(_("Say whether you support, oppose or are neutral.")) from None
    else:
        position = None  # a question takes no position (a form may still send the radio)
    body = (sub.body or "").strip()
    if not body:
        raise Invalid(_("Write your comment or question first."))
    if len(body) > policy.max_chars:
        raise Invalid(
            _("Please keep it under %(limit)d characters (yours has %(count)d).")
            % {"limit": policy.max_chars, "count": len(body)}
        )
    token = (sub.client_token or "").strip()
    if not token or len(token) > TOKEN_MAX_CHARS:
        raise Invalid("client_token must be 1 to 64 characters")
    return Submission(
        kind=kind.value,
        body=body,
        position=position,
        item_id=sub.item_id,
        general=sub.general,
        display_name=_clean(sub.display_name, NAME_MAX_CHARS, _("Your name")),
        area=_clean(sub.area, AREA_MAX_CHARS, _("Your ward or postcode district")),
        client_token=token,
    )


async def _target_item(
    w: Writer, meeting: Meeting, policy: Policy, item_id: int | None
) -> int | None:
    """The item asked for, or the one being discussed, or none (the meeting in general)."""
    if item_id is None:
        current = (
            await w.session.execute(
                select(AgendaItem.id).where(
                    AgendaItem.meeting_id == meeting.id, AgendaItem.status == ItemStatus.CURRENT
                )
            )
        ).scalar_one_or_none()
        return current
    item = await w.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise NotFound(_("There is no such item on this meeting's agenda."))
    closed = item_window(policy, item)
    if closed is not None:
        raise WindowClosed(_(CLOSED_MESSAGES[closed]))
    return item.id


async def submit(
    w: Writer, meeting_id: int, participant: str, sub: Submission
) -> tuple[Contribution, bool]:
    """Store a submission; returns it and whether it is new (False for a retried token)."""
    meeting = await lock_meeting(w, meeting_id)
    policy = policy_of(meeting.council)
    sub = check(sub, policy)
    existing = (
        await w.session.execute(
            select(Contribution).where(
                Contribution.meeting_id == meeting_id,
                Contribution.participant_id == participant,
                Contribution.client_token == sub.client_token,
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing, False
    blocked = await w.session.get(ParticipantBlock, (meeting_id, participant))
    if blocked is not None:
        raise Forbidden(_("You can no longer post in this meeting."))
    now = utcnow()
    closed = meeting_window(policy, meeting, now)
    if closed is not None:
        raise WindowClosed(_(CLOSED_MESSAGES[closed]))
    item_id = None if sub.general else await _target_item(w, meeting, policy, sub.item_id)
    key = body_key(sub.body)
    repeated = (
        await w.session.execute(
            select(Contribution.id)
            .where(Contribution.meeting_id == meeting_id, Contribution.body_key == key)
            .limit(1)
        )
    ).first() is not None
    verdict = screen(sub.body, policy, repeated)
    publish = not policy.premoderated and not verdict.held
    contribution = Contribution(
        meeting_id=meeting_id,
        item_id=item_id,
        kind=sub.kind,
        position=sub.position,
        body=sub.body,
        body_key=key,
        display_name=sub.display_name,
        area=sub.area,
        participant_id=participant,
        client_token=sub.client_token,
        status=(ContributionStatus.PUBLISHED if publish else ContributionStatus.PENDING).value,
        screening=verdict.summary(),
        created_at=now,
        published_at=now if publish else None,
    )
    w.session.add(contribution)
    await w.session.flush()
    await w.emit(
        meeting_id,
        ModerationItemUpdated(contribution=staff_view(contribution, None), action="submitted"),
    )
    await w.emit(
        meeting_id, OwnContributionUpdated(contribution=own_view(contribution, None)), participant
    )
    if publish:
        await w.emit(
            meeting_id, ContributionPublished(contribution=contribution_view(contribution))
        )
    return contribution, True


async def vote(
    w: Writer, meeting_id: int, contribution_id: int, participant: str, up: bool
) -> Contribution:
    """Add or withdraw one participant's vote on a published question; repeats change nothing."""
    await lock_meeting(w, meeting_id)
    question = await w.session.get(Contribution, contribution_id)
    if question is None or question.meeting_id != meeting_id:
        raise NotFound(_("There is no such question."))
    if question.kind != Kind.QUESTION or question.status != ContributionStatus.PUBLISHED:
        raise Conflict(_("Only published questions can be voted on."))
    if up:
        try:
            async with w.session.begin_nested():
                w.session.add(Vote(contribution_id=contribution_id, participant_id=participant))
        except IntegrityError:
            return question  # already voted: one vote per participant
        question.votes += 1
    else:
        result = await w.session.execute(
            delete(Vote).where(
                Vote.contribution_id == contribution_id, Vote.participant_id == participant
            )
        )
        if not getattr(result, "rowcount", 0):
            return question
        question.votes -= 1
    await w.session.flush()
    await w.emit(meeting_id, ContributionUpdated(contribution=contribution_view(question)))
    return question
