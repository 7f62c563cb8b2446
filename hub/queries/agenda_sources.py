"""Agenda sources: a council's, one by name, the ones due a sync, and whether a council meets
on a given day (the scheduled sync goes faster then)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import AgendaSource, Council, Meeting, MeetingStatus


async def sources_of(session: AsyncSession, council_id: int | None = None) -> list[AgendaSource]:
    query = select(AgendaSource).order_by(AgendaSource.council_id, AgendaSource.name)
    if council_id is not None:
        query = query.where(AgendaSource.council_id == council_id)
    return list((await session.execute(query)).scalars())


async def source_named(session: AsyncSession, council_id: int, name: str) -> AgendaSource | None:
    found: AgendaSource | None = await session.scalar(
        select(AgendaSource).where(
            AgendaSource.council_id == council_id, AgendaSource.name == name.strip().lower()
        )
    )
    return found


async def due_sources(session: AsyncSession, now: datetime) -> list[tuple[AgendaSource, Council]]:
    """Enabled sources whose next sync is due (or that never synced), with their councils."""
    rows = await session.execute(
        select(AgendaSource, Council)
        .join(Council, Council.id == AgendaSource.council_id)
        .where(
            AgendaSource.enabled.is_(True),
            (AgendaSource.next_sync_at.is_(None)) | (AgendaSource.next_sync_at <= now),
        )
        .order_by(AgendaSource.next_sync_at.is_not(None), AgendaSource.next_sync_at)
    )
    return [(row[0], row[1]) for row in rows]


async def meets_today(session: AsyncSession, council: Council, now: datetime) -> bool:
    """Whether one of the council's meetings (not cancelled) falls on today in its zone."""
    zone = ZoneInfo(council.timezone)
    local = now.astimezone(zone)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    found = await session.scalar(
        select(Meeting.id)
        .where(
            Meeting.council_id == council.id,
            Meeting.starts_at >= start,
            Meeting.starts_at < end,
            Meeting.status != MeetingStatus.CANCELLED.value,
        )
        .limit(1)
    )
    return found is not None
