"""Clerks' side: the moderation queue, residents' areas in totals, the moderation log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import (
    Contribution,
    ContributionStatus,
    ModerationLog,
    ParticipantBlock,
    StaffUser,
    iso,
)
from hub.shapes.serialise import as_json
from hub.shapes.staff import staff_view

QUEUE_RECENT = 200


async def moderation_state(session: AsyncSession, meeting_id: int) -> dict[str, Any]:
    """The queue (everything pending) and the latest decided submissions, as staff views."""
    # Names of the staff who decided something here (not every account of the deployment).
    deciders = select(Contribution.moderated_by).where(Contribution.meeting_id == meeting_id)
    rows = await session.execute(
        select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.in_(deciders))
    )
    names: dict[int | None, str] = {int(r[0]): str(r[1]) for r in rows}
    blocked = set(
        await session.scalars(
            select(ParticipantBlock.participant_id).where(ParticipantBlock.meeting_id == meeting_id)
        )
    )
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
        "pending": [
            as_json(staff_view(c, names.get(c.moderated_by), c.participant_id in blocked))
            for c in pending.scalars()
        ],
        "decided": [
            as_json(staff_view(c, names.get(c.moderated_by), c.participant_id in blocked))
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


async def moderation_log(
    session: AsyncSession, meeting_id: int, limit: int = 500
) -> list[dict[str, Any]]:
    """The meeting's moderation actions, newest first (at most ``limit``)."""
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
