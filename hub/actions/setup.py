"""Setting up councils and meetings (CLI, demo, importers). No events: a new meeting's log
starts empty and its snapshot is its state at seq 0."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.actions import Conflict, Invalid, NotFound
from hub.models import AgendaItem, Council, Meeting

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
LANGUAGES = ("en", "cy")


async def create_council(
    session: AsyncSession,
    *,
    slug: str,
    name: str,
    timezone: str = "Europe/London",
    language: str = "en",
) -> Council:
    if not SLUG_RE.match(slug):
        raise Invalid("a council slug is lower-case letters, digits and hyphens")
    if not name.strip():
        raise Invalid("a council needs a name")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"unknown time zone {timezone!r}") from None
    if language not in LANGUAGES:
        raise Invalid(f"language must be one of {', '.join(LANGUAGES)}")
    if (await session.execute(select(Council).where(Council.slug == slug))).scalar_one_or_none():
        raise Conflict(f"a council with slug {slug!r} exists")
    council = Council(slug=slug, name=name.strip(), timezone=timezone, default_language=language)
    session.add(council)
    await session.flush()
    return council


@dataclass
class ItemSpec:
    number: str
    title: str
    description: str = ""
    children: list[ItemSpec] = field(default_factory=list)


async def create_meeting(
    session: AsyncSession,
    *,
    council_slug: str,
    title: str,
    body_name: str,
    starts_at: datetime,
    location: str = "",
    webcast_url: str | None = None,
    items: list[ItemSpec] | None = None,
) -> Meeting:
    council = (
        await session.execute(select(Council).where(Council.slug == council_slug))
    ).scalar_one_or_none()
    if council is None:
        raise NotFound(f"no council {council_slug!r}")
    if starts_at.tzinfo is None:
        raise Invalid("a meeting's start time needs a time zone")
    if webcast_url and not webcast_url.startswith(("https://", "http://")):
        raise Invalid("the webcast link must be an http(s) URL")
    meeting = Meeting(
        council_id=council.id,
        title=title.strip(),
        body_name=body_name.strip(),
        starts_at=starts_at,
        location=location.strip(),
        webcast_url=webcast_url or None,
    )
    session.add(meeting)
    await session.flush()
    position = 0
    for spec in items or []:
        position += 1
        parent = AgendaItem(
            meeting_id=meeting.id,
            position=position,
            number=spec.number,
            title=spec.title,
            description=spec.description,
        )
        session.add(parent)
        await session.flush()
        for child in spec.children:
            position += 1
            session.add(
                AgendaItem(
                    meeting_id=meeting.id,
                    parent_id=parent.id,
                    position=position,
                    number=child.number,
                    title=child.title,
                    description=child.description,
                )
            )
    await session.flush()
    return meeting
