"""Councils."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Council


async def council_by_slug(session: AsyncSession, slug: str) -> Council | None:
    found: Council | None = (
        await session.execute(select(Council).where(Council.slug == slug))
    ).scalar_one_or_none()
    return found
