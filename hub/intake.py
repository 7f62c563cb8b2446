"""Group commit for residents' submissions and votes: one writer per process, many a commit.

When the meeting everyone watches asks for comments, hundreds arrive in a second. Committing each
in its own transaction serialises them on the meeting's row (its seqs must be gap-free) and pays
a commit each. Instead every request queues its submission here and waits; one task takes
everything queued, stores it in one transaction (``submit_many``: one lock of the meeting, one
query per lookup, one INSERT for the rows and one for their events), commits, publishes, and
only then answers each waiting request. So a 201 still means durable, and a busy meeting
commits as often as the database can, each commit carrying whatever arrived meanwhile. A quiet
meeting pays nothing: a lone submission is taken at once, without waiting to fill a group.

Votes travel the same way (``vote_many``, hub/actions/votes.py): when the chair asks the room
which questions to take, a group's ballots become one INSERT and one event per question.

A fault in a group's transaction (the database refusing one row, say) is retried one
submission (or ballot) at a time, so it fails only the one that caused it.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.actions import ActionError, NotFound, is_id
from hub.actions.participation import Entry, RateLimited, submit_many
from hub.actions.votes import Ballot, vote_many
from hub.broker import Broker
from hub.events.publish import writing
from hub.i18n import gettext_ as _
from hub.models import Contribution
from hub.policy import Policy
from hub.ratelimit import RateLimiter

logger = logging.getLogger(__name__)

# Submissions in one transaction at most: bounds the transaction's time and memory (a group
# commits in tens of milliseconds at this size), while a burst still needs few commits.
MAX_GROUP = 500
# The council's rate limits count submissions over this period.
SUBMISSION_PERIOD_S = 600.0


class Unavailable(ActionError):
    status = 503
    code = "unavailable"
    retry_after_s = 5


@dataclass
class _Ticket:
    meeting_id: int
    job: Entry | Ballot
    # The job's outcome (see submit_many and vote_many): a result or an ActionError.
    answer: asyncio.Future[Any]


@dataclass
class IntakeStats:
    """Counters for the operator (and the tests): how well submissions are being grouped."""

    submissions: int = 0
    ballots: int = 0
    commits: int = 0
    retried_alone: int = 0
    largest_group: int = 0


@dataclass
class Intake:
    sessionmaker: async_sessionmaker[AsyncSession]
    broker: Broker
    # (capacity, period) -> the process's shared limiter for it (Services.limiter).
    limiter: Callable[[int, float], RateLimiter]
    stats: IntakeStats = field(default_factory=IntakeStats)
    _queue: list[_Ticket] = field(default_factory=list, init=False)
    _writer: asyncio.Task[None] | None = field(default=None, init=False)
    _closing: bool = field(default=False, init=False)

    async def submit(self, meeting_id: int, entry: Entry) -> tuple[Contribution, bool]:
        """Queue one submission and wait until it is committed; its refusal is raised.
        Returns the submission and whether it is new (False for a retried token)."""
        result: tuple[Contribution, bool] = await self._queued(meeting_id, entry)
        return result

    async def vote(self, meeting_id: int, ballot: Ballot) -> Contribution:
        """Queue one ballot and wait until it is committed; returns the question as it stands
        after its group; its refusal is raised."""
        question: Contribution = await self._queued(meeting_id, ballot)
        return question

    async def _queued(self, meeting_id: int, job: Entry | Ballot) -> Any:
        if not is_id(meeting_id):
            raise NotFound(_("There is no such meeting."))
        if self._closing:
            raise Unavailable(_("The hub is restarting. Please send it again in a moment."))
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append(_Ticket(meeting_id, job, answer))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name="council-hub-intake")
        # Shielded: a resident who disconnects does not cancel a commit already under way (the
        # page retries with the same token and is answered with the stored submission).
        try:
            outcome = await asyncio.shield(answer)
        except ActionError:
            raise
        except Exception as exc:  # logged by the writer; the resident gets a clear answer
            raise Unavailable(
                _("Your submission could not be saved just now. Please send it again.")
            ) from exc
        if isinstance(outcome, ActionError):
            raise outcome
        return outcome

    async def close(self) -> None:
        """Refuse new submissions and commit every queued one before returning."""
        self._closing = True
        if self._writer is not None:
            await self._writer
        if self.stats.commits:
            logger.info(
                "intake: %d submissions and %d votes in %d commits (largest group %d, %d retried "
                "alone)",
                self.stats.submissions,
                self.stats.ballots,
                self.stats.commits,
                self.stats.largest_group,
                self.stats.retried_alone,
            )

    async def _write_all(self) -> None:
        # Runs while there is anything queued; submissions that arrive during a commit form the
        # next group. The task ends when the queue is empty and is started again by the next one.
        while self._queue:
            group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
            try:
                await self._commit(group)
            except Exception as exc:  # never leave a resident waiting forever
                logger.exception("storing %d submissions failed", len(group))
                for ticket in group:
                    _answer(ticket, exc)

    async def _commit(self, group: list[_Ticket]) -> None:
        try:
            outcomes = await self._store(group)
        except Exception:
            if len(group) == 1:
                raise
            logger.warning(
                "a group of %d submissions failed to commit; storing each alone",
                len(group),
                exc_info=True,
            )
            self.stats.retried_alone += len(group)
            for ticket in group:
                try:
                    [outcome] = await self._store([ticket])
                except Exception as exc:
                    logger.exception("a submission to meeting %s failed", ticket.meeting_id)
                    _answer(ticket, exc)
                else:
                    _answer(ticket, outcome)
            return
        for ticket, outcome in zip(group, outcomes, strict=True):
            _answer(ticket, outcome)

    async def _store(self, group: list[_Ticket]) -> list[Any]:
        """One transaction for the group (published after its commit); outcomes in order."""
        by_meeting: dict[int, list[int]] = {}
        for index, ticket in enumerate(group):
            by_meeting.setdefault(ticket.meeting_id, []).append(index)
        outcomes: list[Any] = [None] * len(group)
        charged: list[tuple[RateLimiter, str]] = []

        def admit(policy: Policy, entry: Entry) -> ActionError | None:
            limits = [
                (
                    self.limiter(policy.rate_per_participant, SUBMISSION_PERIOD_S),
                    f"p:{entry.participant}",
                ),
                (self.limiter(policy.rate_per_address, SUBMISSION_PERIOD_S), f"a:{entry.address}"),
            ]
            if not all(limiter.would_allow(key) for limiter, key in limits):
                refused = RateLimited(
                    _("You have sent a lot in a short time. Please wait a few minutes.")
                )
                # When one more is allowed (the emptiest bucket refilled by one): the page
                # says so and does not send again before (Retry-After).
                refused.retry_after_s = max(
                    1,
                    *(
                        math.ceil((1.0 - (limiter.capacity - limiter.spent(key))) / limiter.rate)
                        for limiter, key in limits
                    ),
                )
                return refused
            for limiter, key in limits:
                limiter.allow(key)
            charged.extend(limits)
            return None

        try:
            async with writing(self.sessionmaker, self.broker) as w:
                # Meetings locked in id order: two processes' groups never wait on each other
                # in a cycle (a deadlock PostgreSQL would break by failing one of them).
                for meeting_id, indexes in sorted(by_meeting.items()):
                    # Submissions first, then ballots, each kind in arrival order.
                    subs = [(i, job) for i in indexes if isinstance(job := group[i].job, Entry)]
                    if subs:
                        entries = [entry for _i, entry in subs]
                        stored = await submit_many(w, meeting_id, entries, admit)
                        for (i, _entry), stored_outcome in zip(subs, stored, strict=True):
                            outcomes[i] = stored_outcome
                    votes = [(i, job) for i in indexes if isinstance(job := group[i].job, Ballot)]
                    if votes:
                        counted = await vote_many(w, meeting_id, [b for _i, b in votes])
                        for (i, _ballot), vote_outcome in zip(votes, counted, strict=True):
                            outcomes[i] = vote_outcome
        except BaseException:
            for limiter, key in charged:  # nothing was stored: give the allowance back
                limiter.refund(key)
            raise
        self.stats.commits += 1
        ballots = sum(isinstance(ticket.job, Ballot) for ticket in group)
        self.stats.ballots += ballots
        self.stats.submissions += len(group) - ballots
        self.stats.largest_group = max(self.stats.largest_group, len(group))
        return [outcome for outcome in outcomes if outcome is not None]


def _answer(ticket: _Ticket, outcome: Any) -> None:
    if ticket.answer.done():
        return
    if isinstance(outcome, BaseException) and not isinstance(outcome, ActionError):
        ticket.answer.set_exception(outcome)
    else:
        ticket.answer.set_result(outcome)
