"""Councils: one by slug or by its own host name, the list, and what a council's home page
shows (its meetings now, next and before, and its moderation figures)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from hub.models import Contribution, ContributionStatus, Council, Meeting, MeetingStatus

# A meeting that was due to start this long ago and never opened is listed as past, not as
# coming up (a cancelled-without-notice meeting should not sit at the top of the page forever).
UPCOMING_GRACE = timedelta(hours=12)
UPCOMING_MAX = 20
LIVE_STATUSES = (MeetingStatus.LIVE.value, MeetingStatus.ADJOURNED.value)


async def council_by_slug(session: AsyncSession, slug: str) -> Council | None:
    found: Council | None = (
        await session.execute(select(Council).where(Council.slug == slug))
    ).scalar_one_or_none()
    return found


async def council_by_host(session: AsyncSession, host: str) -> Council | None:
    """The council whose own host name this is ("" or an unknown host: None)."""
    if not host:
        return None
    found: Council | None = (
        await session.execute(select(Council).where(Council.host_name == host))
    ).scalar_one_or_none()
    return found


async def all_councils(session: AsyncSession) -> list[Council]:
    return list((await session.execute(select(Council).order_by(Council.name))).scalars())


async def councils_by_id(session: AsyncSession, ids: list[int]) -> list[Council]:
    query = select(Council).where(Council.id.in_(ids)).order_by(Council.name)
    return list((await session.execute(query)).scalars())


@dataclass(frozen=True)
class CouncilMeetings:
    live: list[Meeting]
    upcoming: list[Meeting]
    past: list[Meeting]
    past_total: int


async def council_meetings(
    session: AsyncSession, council_id: int, now: datetime, *, limit: int, offset: int
) -> CouncilMeetings:
    """Live now (open or adjourned), coming up (soonest first) and the rest (latest first,
    paged by ``limit``/``offset``)."""
    base = select(Meeting).options(joinedload(Meeting.council))
    mine = Meeting.council_id == council_id
    live = list(
        (
            await session.execute(
                base.where(mine, Meeting.status.in_(LIVE_STATUSES)).order_by(Meeting.starts_at)
            )
        ).scalars()
    )
    coming = (Meeting.status == MeetingStatus.SCHEDULED.value) & (
        Meeting.starts_at >= now - UPCOMING_GRACE
    )
    upcoming = list(
        (
            await session.execute(
                base.where(mine, coming).order_by(Meeting.starts_at).limit(UPCOMING_MAX)
            )
        ).scalars()
    )
    before = mine & Meeting.status.not_in(LIVE_STATUSES) & ~coming
    past = list(
        (
            await session.execute(
                base.where(before)
                .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
                .limit(limit)
                .offset(offset)
            )
        ).scalars()
    )
    total = int(await session.scalar(select(func.count(Meeting.id)).where(before)) or 0)
    return CouncilMeetings(live, upcoming, past, total)


async def council_moderation_figures(session: AsyncSession, council_id: int) -> dict[str, int]:
    """Residents' contributions to all the council's meetings, by status (counts only: nothing
    about who wrote what; social posts are not residents' contributions and are not counted)."""
    rows = await session.execute(
        select(Contribution.status, func.count(Contribution.id))
        .join(Meeting, Meeting.id == Contribution.meeting_id)
        .where(Meeting.council_id == council_id)
        .group_by(Contribution.status)
    )
    figures = {status.value: 0 for status in ContributionStatus}
    for status, count in rows.all():
        figures[str(status)] = int(count)
    return figures
