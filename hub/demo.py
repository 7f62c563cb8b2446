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

from hub.actions.accounts import create_user, set_password
from hub.actions.agenda import ItemSpec
from hub.actions.councils import create_council
from hub.actions.meetings import create_meeting
from hub.events.publish import Writer
from hub.models import Meeting, StaffUser, utcnow
from hub.queries.councils import council_by_slug

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


async def _set_user(w: Writer, email: str, name: str, role: str, council_id: int | None) -> str:
    """Create the account or reset its password; a fresh random password each run."""
    password = secrets.token_urlsafe(12)
    user = (
        await w.session.execute(select(StaffUser).where(StaffUser.email == email))
    ).scalar_one_or_none()
    if user is None:
        await create_user(
            w,
            email=email,
            display_name=name,
            password=password,
            role=role,
            council_id=council_id,
        )
    else:
        await set_password(w, user.id, password)
    return password


async def seed(w: Writer) -> DemoLogins:
    """Idempotent: reuses the demo council and meeting if present."""
    council = await council_by_slug(w.session, COUNCIL_SLUG)
    if council is None:
        council = await create_council(
            w, slug=COUNCIL_SLUG, name=COUNCIL_NAME, timezone=TIMEZONE, language="en"
        )
    meeting = (
        await w.session.execute(
            select(Meeting).where(Meeting.council_id == council.id, Meeting.source == "demo")
        )
    ).scalar_one_or_none()
    if meeting is None:
        meeting = await create_meeting(
            w,
            council_slug=COUNCIL_SLUG,
            title=MEETING_TITLE,
            body_name="Cabinet",
            starts_at=_tonight(TIMEZONE),
            location="Council Chamber, County Hall, Aberglas",
            webcast_url="https://example.org/webcast/cabinet",
            items=AGENDA,
            source="demo",
            external_id="cabinet-demo",
        )
    clerk = await _set_user(w, CLERK_EMAIL, "Demo Clerk", "clerk", council.id)
    councillor = await _set_user(w, COUNCILLOR_EMAIL, "Cllr Demo", "councillor", council.id)
    admin = await _set_user(w, ADMIN_EMAIL, "Demo Admin", "admin", None)
    return DemoLogins(meeting.id, clerk, councillor, admin)
