"""Type aliases shared across the hub's layers."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

# Opens a session on the hub's database: what actions, queries and the live stream are given.
SessionFactory = async_sessionmaker[AsyncSession]
