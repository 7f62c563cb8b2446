"""The neutral model every agenda source maps to, its typed errors, and the source protocol.

Nothing here knows a source's wire format: moderngov.py, legistar.py, ocd.py and ical.py each
turn their own payloads into `ImportedMeeting`s (times aware, text cleaned to plain text,
restricted items marked, exempt documents left out) and their own failures into `SourceError`s,
so the importer (hub/actions/ingest.py through integrations/agendas/sync.py) treats every
source alike.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


class Kind(enum.StrEnum):
    MODERNGOV = "moderngov"
    LEGISTAR = "legistar"
    OCD = "ocd"
    ICAL = "ical"


class State(enum.StrEnum):
    """What the source says of the meeting. A rescheduled meeting is scheduled at its new time
    (the source gives the new date), so only these two reach the hub."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Document:
    """A document as a link to the council's own site (never fetched or copied)."""

    title: str
    url: str


@dataclass(frozen=True)
class ImportedItem:
    external_id: str
    number: str  # as the council prints it ("5", "5a", "5.1")
    title: str  # one line of plain text
    description: str = ""  # plain text, paragraphs split by blank lines
    # Exempt or confidential at the source: stored for staff, never on a public page or event.
    restricted: bool = False
    documents: tuple[Document, ...] = ()
    # In Welsh, where the source gives them; None: it gave no Welsh this time (the hub keeps
    # what it had), "" it says there is none.
    title_cy: str | None = None
    description_cy: str | None = None
    children: tuple[ImportedItem, ...] = ()


@dataclass(frozen=True)
class ImportedMeeting:
    source_kind: Kind
    external_id: str
    title: str
    body_name: str
    starts_at: datetime  # aware
    location: str = ""
    webcast_url: str | None = None
    state: State = State.SCHEDULED
    # None: the source publishes no agenda for it (yet, or ever: an iCalendar feed), so the
    # hub's items are left as they are. An empty tuple: the agenda is published and empty.
    items: tuple[ImportedItem, ...] | None = None
    documents: tuple[Document, ...] = ()
    # Where a person reads it on the council's site.
    url: str | None = None
    title_cy: str | None = None  # as on items

    def __post_init__(self) -> None:
        if self.starts_at.tzinfo is None:
            raise ValueError("an imported meeting's start needs a time zone")

    def item_count(self) -> int:
        def count(items: tuple[ImportedItem, ...]) -> int:
            return sum(1 + count(i.children) for i in items)

        return count(self.items or ())


@dataclass(frozen=True)
class MeetingFailure:
    """One meeting the source listed but could not be read: named, with why, and nothing of it
    is stored (the others are)."""

    external_id: str
    label: str  # how a person recognises it: "Audit Committee, 10/02/2026" or the id
    reason: str


class SourceError(Exception):
    """The source as a whole failed (its listing could not be read): nothing was imported from
    it this time. The message says why in words an operator can act on."""


class Unreachable(SourceError):
    """A transport fault: TLS, a refused connection, a timeout."""


class BadStatus(SourceError):
    """The source answered with an HTTP error (5xx, 401/403, 404)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class NotTheFormat(SourceError):
    """The source answered 200 with something else: an HTML challenge or error page, a login
    form, a captive portal."""


class Malformed(SourceError):
    """The body claims the format but does not parse, or is not the shape the source sends."""


class Refused(SourceError):
    """The body was refused unread for safety: XML with a DTD or entities (a bomb), too big."""


Fetched = ImportedMeeting | MeetingFailure


class AgendaSource(Protocol):
    kind: Kind

    def meetings(self, start: date, end: date) -> AsyncIterator[Fetched]:
        """The meetings from ``start`` to ``end`` (both included, the council's dates), each as
        soon as it is read; raises SourceError if the listing itself fails."""
        ...

    async def aclose(self) -> None: ...
