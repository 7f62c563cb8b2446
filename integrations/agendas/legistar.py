"""Legistar (many US councils): ``<base>/{client}/events`` and
``<base>/{client}/events/{id}/eventitems``, JSON (the Web API, https://webapi.legistar.com/v1).

What it really sends: at most 1,000 rows a call (``$top``/``$skip`` page past it); ``EventDate``
is midnight and ``EventTime`` ("6:30 PM") local time, with no zone: the council's zone applies,
summer time included; items come unordered (sorted here by ``EventItemAgendaSequence``); titles
carry tabs and CRLFs and can be whole paragraphs. Some clients need an API token (``token`` in
the query string). Attachments are links to the client's own site.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx

from integrations.agendas import _http
from integrations.agendas.models import (
    Document,
    Fetched,
    ImportedItem,
    ImportedMeeting,
    Kind,
    Malformed,
    MeetingFailure,
    SourceError,
    State,
)
from integrations.agendas.text import one_line, plain_text, title_and_rest

DEFAULT_BASE = "https://webapi.legistar.com/v1"
# Legistar's cap on rows a call: asking for more still returns 1,000.
PAGE = 1000
# A range a year long at a busy city is ~600 events; 50 pages is a bound against a server
# that ignores $skip and returns the same page forever.
MAX_PAGES = 50
_TIME = re.compile(r"^(\d{1,2}):(\d{2})\s*([AP])\.?M\.?$", re.IGNORECASE)
_CANCELLED = re.compile(r"\bcancel+ed\b|\bpostponed\b", re.IGNORECASE)


def parse_time(value: str | None) -> time:
    """``6:30 PM``; none given is midnight."""
    if not value or not value.strip():
        return time(0, 0)
    match = _TIME.match(value.strip())
    if match is None:
        raise Malformed(f"Legistar EventTime {value!r} is not like '6:30 PM'")
    hour, minute = int(match.group(1)), int(match.group(2))
    if not 1 <= hour <= 12 or minute > 59:
        raise Malformed(f"Legistar EventTime {value!r} has no such hour")
    return time(hour % 12 + (12 if match.group(3).upper() == "P" else 0), minute)


def parse_date(value: Any) -> date:
    if not isinstance(value, str):
        raise Malformed(f"Legistar EventDate {value!r} is not a date")
    try:
        return datetime.fromisoformat(value[:19]).date()
    except ValueError:
        raise Malformed(f"Legistar EventDate {value!r} is not a date") from None


def _str(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    return str(value).strip() if value is not None else ""


def _link(value: Any) -> str | None:
    return (
        value.strip()
        if isinstance(value, str) and value.startswith(("https://", "http://"))
        else None
    )


class LegistarSource:
    kind = Kind.LEGISTAR

    def __init__(
        self,
        client: str,
        zone: str,
        *,
        base_url: str = DEFAULT_BASE,
        token: str | None = None,
        page_size: int = PAGE,
        timeout: httpx.Timeout | float = _http.TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.client = client.strip().strip("/")
        self.base_url = f"{base_url.rstrip('/')}/{quote(self.client, safe='')}"
        self.zone = ZoneInfo(zone)
        self.token = token or None
        self.page_size = min(page_size, PAGE)
        self._http = _http.client(timeout, transport=transport)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _rows(self, path: str, params: dict[str, str], what: str) -> list[dict[str, Any]]:
        """Every row of a listing, page after page of ``$top`` until a short page."""
        rows: list[dict[str, Any]] = []
        for page in range(MAX_PAGES):
            query = {**params, "$top": str(self.page_size), "$skip": str(page * self.page_size)}
            if self.token:
                query["token"] = self.token
            body = await _http.get(
                self._http, f"{self.base_url}{path}", what=what, expect="JSON", params=query
            )
            data = _http.parse_json(body, what)
            if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
                raise Malformed(f"{what} sent JSON that is not a list of rows")
            rows.extend(data)
            if len(data) < self.page_size:
                return rows
        raise Malformed(f"{what} had more than {MAX_PAGES} pages: refusing to go on")

    async def meetings(self, start: date, end: date) -> AsyncIterator[Fetched]:
        after = end + timedelta(days=1)
        events = await self._rows(
            "/events",
            {
                "$filter": (
                    f"EventDate ge datetime'{start.isoformat()}' "
                    f"and EventDate lt datetime'{after.isoformat()}'"
                ),
                "$orderby": "EventDate asc,EventId asc",
            },
            "Legistar events",
        )
        seen: set[str] = set()
        for event in events:
            event_id = _str(event, "EventId")
            body = one_line(_str(event, "EventBodyName")) or "event"
            label = f"{body} on {_str(event, 'EventDate')[:10]}"
            if not event_id or event_id in seen:
                if not event_id:
                    yield MeetingFailure("", label, "listed without an EventId")
                continue  # a row repeated across pages (the list shifted while paging)
            seen.add(event_id)
            try:
                rows = await self._rows(
                    f"/events/{quote(event_id, safe='')}/eventitems",
                    {"AgendaNote": "1", "Attachments": "1"},
                    f"Legistar items of event {event_id}",
                )
                yield self._meeting(event, rows)
            except SourceError as exc:
                yield MeetingFailure(event_id, label, str(exc))

    def _meeting(self, event: dict[str, Any], rows: list[dict[str, Any]]) -> ImportedMeeting:
        starts = datetime.combine(
            parse_date(event.get("EventDate")), parse_time(event.get("EventTime")), self.zone
        )
        body = one_line(_str(event, "EventBodyName")).lstrip("* ")
        cancelled = bool(
            _CANCELLED.search(_str(event, "EventAgendaStatusName"))
            or _CANCELLED.search(_str(event, "EventComment"))
        )
        documents = []
        if agenda := _link(event.get("EventAgendaFile")):
            documents.append(Document("Agenda", agenda))
        return ImportedMeeting(
            source_kind=Kind.LEGISTAR,
            external_id=_str(event, "EventId"),
            title=body or "Meeting",
            body_name=body,
            starts_at=starts,
            location=one_line(_str(event, "EventLocation")),
            webcast_url=_link(event.get("EventVideoPath")),
            state=State.CANCELLED if cancelled else State.SCHEDULED,
            items=self._items(rows),
            documents=tuple(documents),
            url=_link(event.get("EventInSiteURL")),
        )

    def _items(self, rows: list[dict[str, Any]]) -> tuple[ImportedItem, ...]:
        def order(row: dict[str, Any]) -> tuple[int, int]:
            sequence = row.get("EventItemAgendaSequence")
            return (
                sequence if isinstance(sequence, int) else 1 << 30,
                int(row.get("EventItemId") or 0),
            )

        items = []
        for row in sorted(rows, key=order):
            item_id = _str(row, "EventItemId")
            title, rest = title_and_rest(_str(row, "EventItemTitle"))
            if not item_id or not title:
                continue  # a blank separator row
            note = plain_text(_str(row, "EventItemAgendaNote"))
            documents = tuple(
                Document(one_line(_str(a, "MatterAttachmentName")) or "Attachment", link)
                for a in row.get("EventItemMatterAttachments") or []
                if isinstance(a, dict)
                and a.get("MatterAttachmentShowOnInternetPage") is not False
                and (link := _link(a.get("MatterAttachmentHyperlink")))
            )
            items.append(
                ImportedItem(
                    external_id=item_id,
                    number=one_line(_str(row, "EventItemAgendaNumber"))[:16],
                    title=title,
                    description="\n\n".join(p for p in (rest, note) if p),
                    documents=documents,
                )
            )
        return tuple(items)
