"""Residents' personal data: removed when the council's retention period ends, or at once when
a resident asks for erasure. Both keep the published record's shape and the log gap-free.

- ``erase_participant``: everything one resident wrote is blanked (text, name, ward); what was
  published is taken off every page (``contribution.removed``) and redacted in the log like a
  takedown; their votes and blocks no longer name them.
- ``purge_expired``: contributions older than their council's ``retention_days`` lose who
  wrote them (name, ward, participant id, the pseudonym in the log and the moderation log) and,
  if never published, what they said; the published text stays as the meeting's record. Social
  posts go whole (they are only ever shown attributed to their author): ``_purge_post``.

A participant id is replaced by ``erased:<random>``: unique (the tables' keys hold), and it
links nothing to anything.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update

from hub.actions._locks import lock_meeting
from hub.actions.redaction import redact_contribution
from hub.events import log as event_log
from hub.events.publish import Writer
from hub.events.redaction import EVERYTHING, IDENTITY
from hub.events.schema import ContributionRemoved, Event, SpotlightChanged
from hub.models import (
    Contribution,
    ContributionStatus,
    Council,
    Kind,
    Meeting,
    MeetingEvent,
    ModerationLog,
    ParticipantBlock,
    SocialPost,
    Vote,
)
from hub.shapes.staff import pseudonym

ERASED_PREFIX = "erased:"
ERASED_REASON = "erased"
RETENTION_REASON = "retention"  # a social post removed at the end of the retention period


def _erased_id() -> str:
    return ERASED_PREFIX + secrets.token_urlsafe(16)


async def _forget_participant(w: Writer, participant: str, before: datetime | None = None) -> None:
    """Votes, blocks, the moderation log and the log's own-stream targets stop naming them
    (those from before ``before`` only, if given: the end of a retention period)."""
    far = datetime.max.replace(tzinfo=UTC) if before is None else before
    votes = list(
        await w.session.scalars(
            select(Vote.contribution_id).where(
                Vote.participant_id == participant, Vote.created_at < far
            )
        )
    )
    for question in votes:
        await w.session.execute(
            update(Vote)
            .where(Vote.contribution_id == question, Vote.participant_id == participant)
            .values(participant_id=_erased_id())
        )
    await w.session.execute(
        delete(ParticipantBlock).where(
            ParticipantBlock.participant_id == participant, ParticipantBlock.created_at < far
        )
    )
    await w.session.execute(
        update(ModerationLog)
        .where(ModerationLog.participant == pseudonym(participant), ModerationLog.at < far)
        .values(participant=None)
    )
    await w.session.execute(
        update(MeetingEvent)
        .where(MeetingEvent.target == participant, MeetingEvent.at < far)
        .values(target=None)
    )


async def erase_participant(w: Writer, participant: str, now: datetime) -> int:
    """Erase one resident's personal data everywhere; returns how many submissions it held."""
    contributions = list(
        await w.session.scalars(
            select(Contribution)
            .where(Contribution.participant_id == participant)
            .order_by(Contribution.meeting_id, Contribution.id)
        )
    )
    for meeting_id in sorted({c.meeting_id for c in contributions}):  # id order: no deadlock
        meeting = await lock_meeting(w, meeting_id)
        for c in (c for c in contributions if c.meeting_id == meeting_id):
            await _erase_one(w, meeting, c, now)
    await _forget_participant(w, participant)
    return len(contributions)


async def _erase_one(w: Writer, meeting: Meeting, c: Contribution, now: datetime) -> None:
    events: list[Event] = []
    if c.status == ContributionStatus.PUBLISHED:
        events.append(ContributionRemoved(id=c.id))
        if meeting.spotlight_id == c.id:
            meeting.spotlight_id = None
            events.append(SpotlightChanged(contribution=None))
        c.status = ContributionStatus.HIDDEN.value
        c.reason = ERASED_REASON
    c.body, c.body_key, c.display_name, c.area = "", None, None, None
    c.participant_id = _erased_id()
    c.personal_data_removed_at = now
    await w.session.flush()
    if events:
        await w.emit_many(meeting.id, [(event, None) for event in events])
    await redact_contribution(w, meeting.id, c.id, EVERYTHING)


async def _purge_post(w: Writer, c: Contribution, now: datetime) -> None:
    """A social post is only ever shown attributed to its author (hub/shapes/public.py's
    PostView), and its author never consented to the hub keeping it: at the end of the
    retention period it goes whole (text, author, link, media; off the page if published, with
    an event) and so does the poller's record of it (its uri names the author). The post
    itself is still on its platform, under its author's control."""
    events: list[Event] = []
    if c.status == ContributionStatus.PUBLISHED:
        meeting = await lock_meeting(w, c.meeting_id)
        events.append(ContributionRemoved(id=c.id))
        if meeting.spotlight_id == c.id:
            meeting.spotlight_id = None
            meeting.spotlight_pinned = False
            events.append(SpotlightChanged(contribution=None))
        c.status = ContributionStatus.HIDDEN.value
        c.reason = RETENTION_REASON
    c.body, c.body_key, c.display_name, c.area, c.post = "", None, None, None, None
    c.participant_id = _erased_id()
    c.personal_data_removed_at = now
    await w.session.execute(delete(SocialPost).where(SocialPost.contribution_id == c.id))
    await w.session.flush()
    if events:
        await w.emit_many(c.meeting_id, [(event, None) for event in events])
    await event_log.redact_subject(w.session, c.meeting_id, c.id, EVERYTHING)


async def purge_expired(w: Writer, now: datetime) -> int:
    """Remove the personal data of every contribution past its council's retention period;
    returns how many were purged. Idempotent (each contribution once)."""
    purged = 0
    councils = list(await w.session.execute(select(Council.id, Council.retention_days)))
    for council_id, days in councils:
        cutoff = now - timedelta(days=int(days))
        due = list(
            await w.session.scalars(
                select(Contribution)
                .join(Meeting, Meeting.id == Contribution.meeting_id)
                .where(
                    Meeting.council_id == council_id,
                    Contribution.created_at < cutoff,
                    Contribution.personal_data_removed_at.is_(None),
                )
                .order_by(Contribution.meeting_id, Contribution.id)
            )
        )
        participants = {c.participant_id for c in due}
        for c in due:
            if c.kind == Kind.POST.value:
                await _purge_post(w, c, now)
                continue
            if c.status != ContributionStatus.PUBLISHED:
                c.body, c.body_key = "", None
            c.display_name, c.area = None, None
            c.participant_id = _erased_id()
            c.personal_data_removed_at = now
            await w.session.flush()
            published = c.status == ContributionStatus.PUBLISHED
            blanked = IDENTITY if published else EVERYTHING
            await event_log.redact_subject(w.session, c.meeting_id, c.id, blanked)
        for participant in participants:
            await _forget_participant(w, participant, before=cutoff)
        purged += len(due)
    return purged
