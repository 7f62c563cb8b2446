"""Reads for the open-data exports and feeds (hub/web/public/exports.py) and the staff exports.

Public ones read the published record only, through the same views as the snapshot. Each reads
in one consistent snapshot of the database (REPEATABLE READ on PostgreSQL), so a record's
contributions, figures and ``last_seq`` agree.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from hub import i18n
from hub.models import AgendaItem, Contribution, ContributionStatus, Council, Meeting
from hub.queries.councils import council_by_slug
from hub.queries.meetings import (
    consistent_read,
    load_items,
    load_meeting,
    published_contributions,
)
from hub.queries.participation import moderation_summary
from hub.shapes.opendata import EXPORTED_KINDS, POST_RIGHTS, MeetingRecord, licence_view
from hub.shapes.public import ModerationSummary, item_views, meeting_view

# A meeting stays in a council's calendar of upcoming meetings for this long after it starts,
# so one under way (most run 2-4 hours) is still there for those following it.
UPCOMING_GRACE = timedelta(hours=12)
# The most meetings a calendar or feed holds: a council's year of meetings is a few hundred.
CALENDAR_MAX = 500
FEED_MAX = 50


async def meeting_record(session: AsyncSession, meeting_id: int) -> MeetingRecord | None:
    """A meeting's public record, or None if there is no such meeting."""
    await consistent_read(session)
    meeting = await load_meeting(session, meeting_id)
    if meeting is None:
        return None
    items = await load_items(session, meeting_id)
    published = await published_contributions(session, meeting_id)
    contributions = [c for c in published if c.kind in EXPORTED_KINDS]
    figures = await moderation_summary(session, meeting_id)
    return MeetingRecord(
        licence=licence_view(meeting.council),
        meeting=meeting_view(meeting),
        items=item_views(items),
        contributions=contributions,
        moderation=ModerationSummary(**figures),
        last_seq=meeting.last_seq,
        posts_rights=i18n.translate(meeting.council.default_language, POST_RIGHTS),
    )


async def agendas(session: AsyncSession, meeting_ids: list[int]) -> dict[int, list[AgendaItem]]:
    """The agenda items of several meetings, in printed order, by meeting (one query)."""
    found: dict[int, list[AgendaItem]] = defaultdict(list)
    if not meeting_ids:
        return found
    rows = await session.execute(
        select(AgendaItem)
        .where(AgendaItem.meeting_id.in_(meeting_ids))
        .order_by(AgendaItem.meeting_id, AgendaItem.position)
    )
    for item in rows.scalars():
        found[item.meeting_id].append(item)
    return found


async def upcoming_meetings(
    session: AsyncSession, slug: str, now: datetime
) -> tuple[Council, list[Meeting]] | None:
    """A council's meetings from ``UPCOMING_GRACE`` ago on, soonest first (cancelled ones too:
    a calendar that had one learns it is cancelled); None if there is no such council."""
    await consistent_read(session)
    council = await council_by_slug(session, slug)
    if council is None:
        return None
    rows = await session.execute(
        select(Meeting)
        .options(joinedload(Meeting.council))
        .where(Meeting.council_id == council.id, Meeting.starts_at >= now - UPCOMING_GRACE)
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(CALENDAR_MAX)
    )
    return council, list(rows.scalars())


async def newest_meetings(session: AsyncSession, council: Council | None) -> list[Meeting]:
    """The meetings most recently added (to one council, or to any), newest first."""
    query = select(Meeting).options(joinedload(Meeting.council))
    if council is not None:
        query = query.where(Meeting.council_id == council.id)
    rows = await session.execute(
        query.order_by(Meeting.created_at.desc(), Meeting.id.desc()).limit(FEED_MAX)
    )
    return list(rows.scalars())


# ---- staff ----------------------------------------------------------------------------------


async def area_totals_by_status(session: AsyncSession, meeting_id: int) -> list[dict[str, Any]]:
    """Submissions from each ward or district, by what became of them: staff only, and only
    as totals (never tied to a submission)."""

    def counted(status: ContributionStatus) -> Any:
        return func.sum(case((Contribution.status == status.value, 1), else_=0))

    rows = await session.execute(
        select(
            Contribution.area,
            func.count(Contribution.id),
            counted(ContributionStatus.PUBLISHED),
            counted(ContributionStatus.PENDING),
            counted(ContributionStatus.REJECTED),
            counted(ContributionStatus.HIDDEN),
        )
        .where(Contribution.meeting_id == meeting_id, Contribution.area.is_not(None))
        .group_by(Contribution.area)
        .order_by(func.count(Contribution.id).desc(), Contribution.area)
    )
    names = ("area", "submissions", "published", "pending", "rejected", "hidden")
    return [
        {
            name: (value if name == "area" else int(value or 0))
            for name, value in zip(names, row, strict=True)
        }
        for row in rows.all()
    ]
