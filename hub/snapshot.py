"""Snapshots: a meeting's whole public state with the ``last_seq`` it reflects.

Read in one REPEATABLE READ transaction on PostgreSQL (SQLite's WAL reads are snapshots
already), so the state and ``last_seq`` agree: a client that applies the events after
``last_seq`` to it reaches exactly the state a later snapshot shows (Zulip's register pattern).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from hub.events.schema import Audience
from hub.i18n import gettext_
from hub.models import (
    AgendaItem,
    Contribution,
    ContributionStatus,
    Council,
    Meeting,
    MeetingEvent,
    ModerationLog,
    StaffUser,
    Vote,
)
from hub.policy import policy_of
from hub.views import (
    as_json,
    contribution_view,
    iso,
    item_view,
    meeting_view,
    own_view,
    staff_view,
)

STAFF_ACTIVITY_LIMIT = 200


async def consistent_read(session: AsyncSession) -> None:
    """Start the session's transaction as a snapshot of the database."""
    if session.get_bind().dialect.name == "postgresql":
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


async def load_meeting(session: AsyncSession, meeting_id: int) -> Meeting | None:
    result = await session.execute(
        select(Meeting).options(joinedload(Meeting.council)).where(Meeting.id == meeting_id)
    )
    return result.scalar_one_or_none()


async def load_items(session: AsyncSession, meeting_id: int) -> list[AgendaItem]:
    result = await session.execute(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
    )
    return list(result.scalars())


async def snapshot(session: AsyncSession, meeting_id: int) -> dict[str, Any] | None:
    """The public snapshot (GET /api/meetings/{id})."""
    await consistent_read(session)
    meeting = await load_meeting(session, meeting_id)
    if meeting is None:
        return None
    items = await load_items(session, meeting_id)
    published = await session.execute(
        select(Contribution)
        .where(
            Contribution.meeting_id == meeting_id,
            Contribution.status == ContributionStatus.PUBLISHED.value,
        )
        .order_by(Contribution.published_at, Contribution.id)
    )
    contributions = [contribution_view(c) for c in published.scalars()]
    spotlight = next((c for c in contributions if c.id == meeting.spotlight_id), None)
    return {
        "meeting": as_json(meeting_view(meeting)),
        "items": [as_json(item_view(i)) for i in items],
        "contributions": [as_json(c) for c in contributions],
        "spotlight": as_json(spotlight) if spotlight is not None else None,
        "last_seq": meeting.last_seq,
    }


async def staff_activity(
    session: AsyncSession, meeting_id: int, up_to: int
) -> list[dict[str, Any]]:
    """The most recent staff-only envelopes up to ``up_to``, oldest first (console log)."""
    result = await session.execute(
        select(MeetingEvent.envelope)
        .where(
            MeetingEvent.meeting_id == meeting_id,
            MeetingEvent.audience == Audience.STAFF.value,
            MeetingEvent.seq <= up_to,
        )
        .order_by(MeetingEvent.seq.desc())
        .limit(STAFF_ACTIVITY_LIMIT)
    )
    return [json.loads(e) for e in reversed(result.scalars().all())]


async def list_meetings(
    session: AsyncSession, *, council: str | None, limit: int, offset: int
) -> tuple[list[Meeting], int]:
    query = select(Meeting).options(joinedload(Meeting.council))
    count = select(func.count(Meeting.id))
    if council is not None:
        query = query.join(Council).where(Council.slug == council)
        count = count.join(Council).where(Council.slug == council)
    query = query.order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(limit).offset(offset)
    meetings = list((await session.execute(query)).scalars())
    total = int((await session.execute(count)).scalar_one())
    return meetings, total


async def mine(session: AsyncSession, meeting: Meeting, participant: str) -> dict[str, Any]:
    """A resident's own submissions (with status) and the questions they voted for."""
    policy = policy_of(meeting.council)
    rows = await session.execute(
        select(Contribution)
        .where(Contribution.meeting_id == meeting.id, Contribution.participant_id == participant)
        .order_by(Contribution.id)
    )
    own = []
    for c in rows.scalars():
        label = policy.reasons.get(c.reason) if c.reason else None
        own.append(as_json(own_view(c, gettext_(label) if label else None)))
    votes = await session.execute(
        select(Vote.contribution_id)
        .join(Contribution, Contribution.id == Vote.contribution_id)
        .where(Contribution.meeting_id == meeting.id, Vote.participant_id == participant)
    )
    return {"contributions": own, "votes": sorted(int(v) for v in votes.scalars())}


QUEUE_RECENT = 200


async def moderation_state(session: AsyncSession, meeting_id: int) -> dict[str, Any]:
    """The queue (everything pending) and the latest decided submissions, as staff views."""
    # Names of the staff who decided something here (not every account of the deployment).
    deciders = select(Contribution.moderated_by).where(Contribution.meeting_id == meeting_id)
    rows = await session.execute(
        select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.in_(deciders))
    )
    names: dict[int | None, str] = {int(r[0]): str(r[1]) for r in rows}
    pending = await session.execute(
        select(Contribution)
        .where(
            Contribution.meeting_id == meeting_id,
            Contribution.status == ContributionStatus.PENDING.value,
        )
        .order_by(Contribution.id)
    )
    decided = await session.execute(
        select(Contribution)
        .where(
            Contribution.meeting_id == meeting_id,
            Contribution.status != ContributionStatus.PENDING.value,
        )
        .order_by(Contribution.id.desc())
        .limit(QUEUE_RECENT)
    )
    return {
        # Residents' areas, in aggregate only: never tied to a submission on a staff screen.
        "areas": await area_totals(session, meeting_id),
        "pending": [as_json(staff_view(c, names.get(c.moderated_by))) for c in pending.scalars()],
        "decided": [
            as_json(staff_view(c, names.get(c.moderated_by)))
            for c in reversed(decided.scalars().all())
        ],
    }


async def area_totals(session: AsyncSession, meeting_id: int) -> list[dict[str, Any]]:
    """How many submissions came from each ward or district: staff see areas only like this."""
    rows = await session.execute(
        select(Contribution.area, func.count(Contribution.id))
        .where(Contribution.meeting_id == meeting_id, Contribution.area.is_not(None))
        .group_by(Contribution.area)
        .order_by(func.count(Contribution.id).desc(), Contribution.area)
    )
    return [{"area": a, "count": int(n)} for a, n in rows.all()]


async def moderation_summary(session: AsyncSession, meeting_id: int) -> dict[str, Any]:
    """Public transparency figures: how many published, pending, rejected and taken down (by
    reason). Counts only: nothing about who wrote what."""
    rows = await session.execute(
        select(Contribution.status, Contribution.reason, func.count(Contribution.id))
        .where(Contribution.meeting_id == meeting_id)
        .group_by(Contribution.status, Contribution.reason)
    )
    summary: dict[str, Any] = {"published": 0, "pending": 0, "rejected": {}, "hidden": {}}
    for status, reason, count in rows.all():
        if status in ("rejected", "hidden"):
            key = reason or "other"
            summary[status][key] = summary[status].get(key, 0) + int(count)
        else:
            summary[status] = summary.get(status, 0) + int(count)
    return summary


async def moderation_log(
    session: AsyncSession, meeting_id: int, limit: int = 500
) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(ModerationLog)
        .where(ModerationLog.meeting_id == meeting_id)
        .order_by(ModerationLog.id.desc())
        .limit(limit)
    )
    return [
        {
            "id": r.id,
            "at": iso(r.at),
            "actor": r.actor_name,
            "action": r.action,
            "contribution_id": r.contribution_id,
            "participant": r.participant,
            "reason": r.reason,
        }
        for r in rows.scalars()
    ]
