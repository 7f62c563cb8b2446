"""The demo council, meeting and staff accounts that `council-hub demo` sets up.

A planning and a full-council style agenda in the shape UK councils print (numbered items,
lettered sub-items), in a Welsh-English council so both languages are exercised.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import auth
from hub.actions.setup import ItemSpec, create_council, create_meeting
from hub.models import Council, Meeting, StaffUser, utcnow

COUNCIL_SLUG = "demo"
COUNCIL_NAME = "Aberglas County Council"
TIMEZONE = "Europe/London"
MEETING_TITLE = "Cabinet"

AGENDA: list[ItemSpec] = [
    ItemSpec("1", "Apologies for absence"),
    ItemSpec(
        "2",
        "Declarations of interest",
        "Members to declare any personal or prejudicial interests in items on this agenda.",
    ),
    ItemSpec(
        "3",
        "Minutes of the previous meeting",
        "To confirm the minutes of the meeting held on 14 October as a correct record.",
    ),
    ItemSpec(
        "4",
        "Public questions",
        "Questions submitted by residents under the council's petition and question scheme.",
    ),
    ItemSpec(
        "5",
        "Future of library services",
        "Report of the Head of Culture on the consultation about branch library opening hours.",
        [
            ItemSpec("5a", "Consultation findings"),
            ItemSpec("5b", "Options for Llanfair and Penrhos branch libraries"),
            ItemSpec("5c", "Recommendation to Council"),
        ],
    ),
    ItemSpec(
        "6",
        "Active travel: Station Road cycle lane",
        "Decision on the traffic regulation order following objections.",
    ),
    ItemSpec(
        "7",
        "Budget monitoring: quarter 2",
        "Revenue and capital monitoring report for July to September.",
        [
            ItemSpec("7a", "Revenue budget"),
            ItemSpec("7b", "Capital programme"),
        ],
    ),
    ItemSpec("8", "Welsh Language Standards annual report"),
    ItemSpec("9", "Notice of motion: climate emergency action plan"),
    ItemSpec(
        "10",
        "Exclusion of the press and public",
        "To consider excluding the public for the next item, which contains exempt information.",
    ),
    ItemSpec("11", "Any other urgent business"),
]

CLERK_EMAIL = "clerk@demo.invalid"
COUNCILLOR_EMAIL = "councillor@demo.invalid"
ADMIN_EMAIL = "admin@demo.invalid"


@dataclass(frozen=True)
class DemoLogins:
    meeting_id: int
    clerk_password: str
    councillor_password: str
    admin_password: str


def _tonight(tz: str) -> datetime:
    zone = ZoneInfo(tz)
    today = utcnow().astimezone(zone).date()
    return datetime.combine(today, time(18, 30), tzinfo=zone) + timedelta(0)


async def _set_user(
    session: AsyncSession, email: str, name: str, role: str, council_id: int | None
) -> str:
    """Create the account or reset its password; a fresh random password each run."""
    password = secrets.token_urlsafe(12)
    user = (
        await session.execute(select(StaffUser).where(StaffUser.email == email))
    ).scalar_one_or_none()
    if user is None:
        await auth.create_user(
            session,
            email=email,
            display_name=name,
            password=password,
            role=role,
            council_id=council_id,
        )
    else:
        await auth.set_password(session, user, password)
    return password


async def seed(session: AsyncSession) -> DemoLogins:
    """Idempotent: reuses the demo council and meeting if present."""
    council = (
        await session.execute(select(Council).where(Council.slug == COUNCIL_SLUG))
    ).scalar_one_or_none()
    if council is None:
        council = await create_council(
            session, slug=COUNCIL_SLUG, name=COUNCIL_NAME, timezone=TIMEZONE, language="en"
        )
    meeting = (
        await session.execute(
            select(Meeting).where(Meeting.council_id == council.id, Meeting.source == "demo")
        )
    ).scalar_one_or_none()
    if meeting is None:
        meeting = await create_meeting(
            session,
            council_slug=COUNCIL_SLUG,
            title=MEETING_TITLE,
            body_name="Cabinet",
            starts_at=_tonight(TIMEZONE),
            location="Council Chamber, County Hall, Aberglas",
            webcast_url="https://example.org/webcast/cabinet",
            items=AGENDA,
        )
        meeting.source = "demo"
        meeting.external_id = "cabinet-demo"
    clerk = await _set_user(session, CLERK_EMAIL, "Demo Clerk", "clerk", council.id)
    councillor = await _set_user(session, COUNCILLOR_EMAIL, "Cllr Demo", "councillor", council.id)
    admin = await _set_user(session, ADMIN_EMAIL, "Demo Admin", "admin", None)
    await session.flush()
    return DemoLogins(meeting.id, clerk, councillor, admin)
