"""Residents' votes on published questions: add or withdraw, many at once.

When the chair asks which questions the room wants answered, thousands of residents vote within
seconds. ``vote_many`` takes a group of ballots in one transaction (hub/intake.py queues them):
one lock of the meeting, one query for the questions and one for the votes already cast, one
statement for the new votes and one for the withdrawn, and one ``contribution.updated`` event
per question with its count after the whole group, not one per ballot.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, tuple_

from hub.actions import ActionError, Conflict, NotFound, is_id
from hub.actions._locks import lock_meeting
from hub.events.publish import Writer
from hub.events.schema import ContributionUpdated, Event
from hub.i18n import gettext_ as _
from hub.models import Contribution, ContributionStatus, Kind, Vote
from hub.shapes.public import contribution_view


@dataclass(frozen=True)
class Ballot:
    """One participant adding (``up``) or withdrawing their vote on one question."""

    participant: str
    contribution_id: int
    up: bool


class OwnQuestion(ActionError):
    """A resident upvoting their own question: the count is the room's interest in it."""

    status = 403
    code = "own_question"


# Each ballot gets the question as it stands after the group, or the refusal.
VoteOutcome = Contribution | ActionError


async def vote(
    w: Writer, meeting_id: int, contribution_id: int, participant: str, up: bool
) -> Contribution:
    """Add or withdraw one participant's vote on a published question; repeats change nothing."""
    [outcome] = await vote_many(w, meeting_id, [Ballot(participant, contribution_id, up)])
    if isinstance(outcome, ActionError):
        raise outcome
    return outcome


async def vote_many(w: Writer, meeting_id: int, ballots: list[Ballot]) -> list[VoteOutcome]:
    """Apply ballots in order: one vote per participant per question, a repeat changes nothing,
    a withdrawal of a vote never cast changes nothing."""
    try:
        await lock_meeting(w, meeting_id)
    except NotFound:  # each ballot is refused on its own; the rest of the group goes on
        return [NotFound(_("There is no such meeting.")) for _ballot in ballots]
    ids = {b.contribution_id for b in ballots if is_id(b.contribution_id)}
    questions = {
        q.id: q
        for q in await w.session.scalars(
            select(Contribution).where(
                Contribution.id.in_(ids), Contribution.meeting_id == meeting_id
            )
        )
    }
    cast_before = {
        (int(cid), str(pid))
        for cid, pid in await w.session.execute(
            select(Vote.contribution_id, Vote.participant_id).where(
                tuple_(Vote.contribution_id, Vote.participant_id).in_(
                    {
                        (b.contribution_id, b.participant)
                        for b in ballots
                        if b.contribution_id in ids
                    }
                )
            )
        )
    }
    cast = set(cast_before)  # as it stands after each ballot, in order
    outcomes: list[VoteOutcome | None] = []
    for ballot in ballots:
        question = questions.get(ballot.contribution_id)
        if question is None:
            outcomes.append(NotFound(_("There is no such question.")))
            continue
        if question.kind != Kind.QUESTION or question.status != ContributionStatus.PUBLISHED:
            outcomes.append(Conflict(_("Only published questions can be voted on.")))
            continue
        if ballot.up and question.participant_id == ballot.participant:
            outcomes.append(OwnQuestion(_("You cannot upvote your own question.")))
            continue
        key = (ballot.contribution_id, ballot.participant)
        if ballot.up and key not in cast:
            cast.add(key)
        elif not ballot.up and key in cast:
            cast.discard(key)
        outcomes.append(None)  # the question, once the group's counts are known
    added = cast - cast_before
    withdrawn = cast_before - cast
    if added:
        await w.session.execute(
            insert(Vote),
            [{"contribution_id": cid, "participant_id": pid} for cid, pid in sorted(added)],
        )
    if withdrawn:
        await w.session.execute(
            delete(Vote).where(
                tuple_(Vote.contribution_id, Vote.participant_id).in_(sorted(withdrawn))
            )
        )
    changed: dict[int, Contribution] = {}
    deltas = Counter(cid for cid, _pid in added)
    deltas.subtract(cid for cid, _pid in withdrawn)
    for cid, delta in deltas.items():
        if delta:
            question = questions[cid]
            question.votes += delta
            changed[cid] = question
    if changed:
        await w.session.flush()
        events: list[tuple[Event, str | None]] = [
            (ContributionUpdated(contribution=contribution_view(q)), None) for q in changed.values()
        ]
        await w.emit_many(meeting_id, events)
    return [
        outcome if outcome is not None else questions[ballot.contribution_id]
        for ballot, outcome in zip(ballots, outcomes, strict=True)
    ]
