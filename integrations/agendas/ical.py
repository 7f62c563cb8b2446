"""iCalendar feeds (meetings without agendas): parsed with ``icalendar``, recurrences expanded
by ``recurring-ical-events`` (RRULE, RDATE, EXDATE and moved or cancelled occurrences).

An occurrence is known by its UID and its RECURRENCE-ID (the start it had in the series), so a
moved occurrence updates the meeting it was, and a cancelled one (``STATUS:CANCELLED``) cancels
it. Floating times and ``X-WR-TIMEZONE`` feeds are in the council's zone; all-day events start
at midnight there. A feed has no agendas: the hub's items are never touched from here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from integrations.agendas import _read
from integrations.agendas.models import (
    Fetched,
    ImportedMeeting,
    Kind,
    Malformed,
    MeetingFailure,
    SourceError,
    State,
)
from integrations.agendas.text import one_line


def _aware(value: Any, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=zone)
    raise Malformed(f"iCalendar date {value!r} is not a date")


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_calendar(body: bytes, what: str) -> icalendar.Calendar:
    try:
        calendar = icalendar.Calendar.from_ical(body)
    except (ValueError, IndexError, KeyError) as exc:
        raise Malformed(f"{what} is not valid iCalendar ({exc})") from exc
    if not isinstance(calendar, icalendar.Calendar):
        raise Malformed(f"{what} is not one VCALENDAR")
    return calendar


class ICalSource(_read.LocatedSource):
    kind = Kind.ICAL

    async def meetings(self, start: date, end: date) -> AsyncIterator[Fetched]:
        what = "iCalendar feed"
        body = await self.read(what=what, expect="iCalendar")
        if not body.lstrip(b"\xef\xbb\xbf \r\n\t").upper().startswith(b"BEGIN:VCALENDAR"):
            raise Malformed(f"{what} does not start with BEGIN:VCALENDAR")
        calendar = parse_calendar(body, what)
        calname = one_line(str(calendar.get("X-WR-CALNAME") or ""))
        zone_name = str(calendar.get("X-WR-TIMEZONE") or "")
        zone = self.zone
        if zone_name:
            try:
                zone = ZoneInfo(zone_name)
            except (ValueError, KeyError):
                zone = self.zone
        try:
            occurrences = recurring_ical_events.of(calendar).between(
                datetime.combine(start, time(0, 0), tzinfo=zone),
                datetime.combine(end + timedelta(days=1), time(0, 0), tzinfo=zone),
            )
        except Exception as exc:  # the library raises many kinds for a broken RRULE
            raise Malformed(f"{what}: its recurrences cannot be expanded ({exc})") from exc
        # Occurrences of a series are told apart by their RECURRENCE-ID; a single event by its
        # UID alone (the library gives every occurrence a RECURRENCE-ID).
        series = {
            str(c.get("UID") or "")
            for c in calendar.walk("VEVENT")
            if any(c.get(p) is not None for p in ("RRULE", "RDATE", "RECURRENCE-ID"))
        }
        for event in occurrences:
            uid = str(event.get("UID") or "")
            label = f"{one_line(str(event.get('SUMMARY') or 'event'))} ({uid or 'no UID'})"
            try:
                yield self._meeting(event, uid, calname, zone, uid in series)
            except SourceError as exc:
                yield MeetingFailure(uid, label, str(exc))

    def _meeting(
        self, event: Any, uid: str, calname: str, zone: ZoneInfo, recurs: bool
    ) -> ImportedMeeting:
        if not uid:
            raise Malformed("an event has no UID")
        dtstart = event.get("DTSTART")
        if dtstart is None:
            raise Malformed("an event has no DTSTART")
        starts = _aware(dtstart.dt, zone)
        recurrence = event.get("RECURRENCE-ID")
        external = (
            uid
            if recurrence is None or not recurs
            else f"{uid}/{_stamp(_aware(recurrence.dt, zone))}"
        )
        summary = one_line(str(event.get("SUMMARY") or "")) or "Meeting"
        url = str(event.get("URL") or "") or None
        status = str(event.get("STATUS") or "").upper()
        return ImportedMeeting(
            source_kind=Kind.ICAL,
            external_id=external[:200],
            title=summary,
            body_name=calname or summary,
            starts_at=starts,
            location=one_line(str(event.get("LOCATION") or "")),
            state=State.CANCELLED if status == "CANCELLED" else State.SCHEDULED,
            items=None,
            url=url if url and url.startswith(("https://", "http://")) else None,
        )
