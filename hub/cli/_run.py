"""Running one action (or one read) from a command, with the deployment's database and broker."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from hub.actions import ActionError
from hub.broker import create_broker
from hub.db import create_engine, create_sessionmaker
from hub.events.publish import Writer, writing
from hub.settings import Settings

T = TypeVar("T")
LOCAL_TIME = "%Y-%m-%d %H:%M"


async def _act(settings: Settings, fn: Callable[[Writer], Awaitable[T]]) -> T:
    # The deployment's broker: with Redis, running servers hear of the change at once; with
    # memory:// (one server process) they heal from the log at their next heartbeat.
    engine = create_engine(settings.database_url)
    broker = create_broker(settings.broker_url)
    await broker.start()
    try:
        async with writing(create_sessionmaker(engine), broker) as w:
            return await fn(w)
    finally:
        await broker.close()
        await engine.dispose()


async def _read(settings: Settings, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            return await fn(session)
    finally:
        await engine.dispose()


def act(settings: Settings, fn: Callable[[Writer], Awaitable[T]]) -> T:
    """Run an action in one transaction; an action's refusal ends the command with its message."""
    try:
        return asyncio.run(_act(settings, fn))
    except ActionError as exc:
        sys.exit(f"error: {exc.message}")


def read(settings: Settings, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
    return asyncio.run(_read(settings, fn))


def local_time(value: str, zone: str, what: str) -> datetime:
    """A wall-clock time in a council's zone ('YYYY-MM-DD HH:MM'), made aware."""
    try:
        local = datetime.strptime(value, LOCAL_TIME)  # noqa: DTZ007 - the zone is added below
    except ValueError:
        raise ActionError(f"{what} is 'YYYY-MM-DD HH:MM' in the council's time zone") from None
    return local.replace(tzinfo=ZoneInfo(zone))
