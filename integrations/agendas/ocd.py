"""Open Civic Data events (pupa's JSON, and so anything that exports it): one event, a list of
them, or an API page (``{"results": [...]}``), from a file or a URL.

Times are ISO 8601; a time without an offset is the council's, a date alone is midnight there.
An event has no agenda item ids: an item is known by its ``order`` (or its place) within the
event. A line of a tool's log before the JSON (pupa prints one) is skipped.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from integrations.agendas import _http, _read
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

_CANCELLED = frozenset({"cancelled", "canceled", "postponed"})


def parse_start(value: Any, zone: ZoneInfo) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise Malformed(f"OCD start_date {value!r} is not a date")
    raw = value.strip().replace("Z", "+00:00")
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time(0, 0), tzinfo=zone)
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise Malformed(f"OCD start_date {value!r} is not ISO 8601") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def parse_document(body: bytes, what: str) -> list[Any]:
    """The events in a body: one event, a list, or an API page."""
    try:
        data = _http.parse_json(body, what)
    except Malformed:
        # A tool's log line before the document: start at the first line that opens JSON.
        text = body.decode("utf-8", "replace")
        starts = [i for i, line in enumerate(text.splitlines()) if line.lstrip()[:1] in ("{", "[")]
        if not starts or starts[0] == 0:
            raise
        data = _http.parse_json("\n".join(text.splitlines()[starts[0] :]).encode(), what)
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise Malformed(f"{what} is neither an event nor a list of events")
    return data


def _links(doc: dict[str, Any]) -> str | None:
    for link in doc.get("links") or []:
        url = link.get("url") if isinstance(link, dict) else None
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            return url
    return None


def _documents(docs: Any) -> tuple[Document, ...]:
    out = []
    for doc in docs or []:
        if isinstance(doc, dict) and (url := _links(doc)):
            out.append(Document(one_line(str(doc.get("note") or "")) or "Document", url))
    return tuple(out)


def _unique(items: tuple[ImportedItem, ...]) -> tuple[ImportedItem, ...]:
    """Items with distinct ids: a repeated ``order`` gets its place appended."""
    seen: set[str] = set()
    out = []
    for index, item in enumerate(items):
        if item.external_id in seen:
            item = replace(item, external_id=f"{item.external_id}#{index}")
        seen.add(item.external_id)
        out.append(item)
    return tuple(out)


class OcdSource(_read.LocatedSource):
    kind = Kind.OCD

    async def meetings(self, start: date, end: date) -> AsyncIterator[Fetched]:
        what = "OCD events"
        body = await self.read(what=what, expect="JSON")
        for index, event in enumerate(parse_document(body, what)):
            label = f"event {index + 1}"
            try:
                if not isinstance(event, dict):
                    raise Malformed("an entry is not an event object")
                label = f"{one_line(str(event.get('name') or 'event'))} ({event.get('start_date')})"
                meeting = self._meeting(event)
            except SourceError as exc:
                external = str(event.get("id") or "") if isinstance(event, dict) else ""
                yield MeetingFailure(external, label, str(exc))
                continue
            if start <= meeting.starts_at.astimezone(self.zone).date() <= end:
                yield meeting

    def _meeting(self, event: dict[str, Any]) -> ImportedMeeting:
        starts = parse_start(event.get("start_date"), self.zone)
        name = one_line(str(event.get("name") or ""))
        external = str(event.get("id") or event.get("pupa_id") or "")
        if not external:
            sources = [s.get("url") for s in event.get("sources") or [] if isinstance(s, dict)]
            key = sources[0] if sources and sources[0] else f"{name}|{starts.isoformat()}"
            external = "sha1:" + hashlib.sha1(str(key).encode(), usedforsecurity=False).hexdigest()
        location = event.get("location")
        place = one_line(str(location.get("name") or "")) if isinstance(location, dict) else ""
        agenda = event.get("agenda")
        items: tuple[ImportedItem, ...] | None = None
        if isinstance(agenda, list):
            items = _unique(
                tuple(
                    self._item(i, entry)
                    for i, entry in enumerate(agenda)
                    if isinstance(entry, dict)
                )
            )
        webcast = next(
            (
                url
                for media in event.get("media") or []
                if isinstance(media, dict) and (url := _links(media))
            ),
            None,
        )
        sources = [s.get("url") for s in event.get("sources") or [] if isinstance(s, dict)]
        web = next((u for u in sources if isinstance(u, str) and u.startswith("http")), None)
        participants = [
            one_line(str(p.get("name") or ""))
            for p in event.get("participants") or []
            if isinstance(p, dict) and p.get("entity_type") == "organization"
        ]
        return ImportedMeeting(
            source_kind=Kind.OCD,
            external_id=external[:200],
            title=name or "Meeting",
            body_name=participants[0] if participants and participants[0] else name,
            starts_at=starts,
            location=place,
            webcast_url=webcast,
            state=State.CANCELLED
            if str(event.get("status") or "").lower() in _CANCELLED
            else State.SCHEDULED,
            items=items,
            documents=_documents(event.get("documents")),
            url=web,
        )

    def _item(self, index: int, entry: dict[str, Any]) -> ImportedItem:
        order = one_line(str(entry.get("order") or ""))
        title, rest = title_and_rest(str(entry.get("description") or ""))
        notes = [
            plain_text(n if isinstance(n, str) else str(n.get("description", "")))
            for n in entry.get("notes") or []
            if isinstance(n, (str, dict))
        ]
        return ImportedItem(
            external_id=f"order:{order}" if order else f"index:{index}",
            number=order[:16],
            title=title or "(untitled)",
            description="\n\n".join(p for p in (rest, *notes) if p),
            documents=_documents(entry.get("media")),
        )
