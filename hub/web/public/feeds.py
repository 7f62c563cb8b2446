"""Calendar and feed formats for the open-data routes (hub/web/public/exports.py): a council's
upcoming meetings as iCalendar (RFC 5545, with RFC 7986's calendar name and description;
written by the ``icalendar`` library) and new meetings as an Atom feed (RFC 4287).

Both are built only from what the public views hold, and both are deterministic for the same
rows (stamps are the meetings' own update times, never "now"), so their ETags change only when
a meeting does.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - writing only, never parsing
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from icalendar import Calendar, Event

from hub import i18n
from hub.i18n import N_
from hub.models import AgendaItem, Council, Meeting, iso
from hub.shapes.opendata import LicenceView
from hub.web.templating import BABEL_LOCALES

ATOM_NS = "http://www.w3.org/2005/Atom"
PRODID = "-//Council Hub//Council Hub//EN"
# How often a calendar app should fetch the calendar again (RFC 7986 REFRESH-INTERVAL).
CALENDAR_REFRESH = timedelta(hours=1)
# XML 1.0 allows no C0 control but tab and line breaks, and not U+FFFE or U+FFFF: text is
# storable already (hub/actions: controls dropped), but a title may still hold U+FFFE.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

ET.register_namespace("", ATOM_NS)  # <feed xmlns="...">, not <ns0:feed>

ICS_STATUS = {"cancelled": "CANCELLED"}  # else CONFIRMED
AGENDA = N_("Agenda")
CANCELLED = N_("Cancelled")
WHEN_WHERE = N_("%(when)s, %(where)s")


def _t(lang: str, message: str) -> str:
    return i18n.translate(lang, message)


def local_time(value: datetime, council: Council) -> str:
    """A time in the council's zone and language: "Monday 23 November 2026, 18:30"."""
    locale = BABEL_LOCALES.get(council.default_language, "en_GB")
    when = value.astimezone(ZoneInfo(council.timezone))
    return format_datetime(when, "EEEE d MMMM y, HH:mm", locale=locale)


def title_in(row: Meeting | AgendaItem, lang: str) -> str:
    """A meeting's or an item's title in the feed's language (the council's): its Welsh title
    in Welsh where it has one, else the English."""
    return (row.title_cy or row.title) if lang == "cy" else row.title


def _agenda_lines(items: Sequence[AgendaItem], lang: str) -> list[str]:
    return [f"{i.number} {title_in(i, lang)}".strip() for i in items]


def describe_meeting(meeting: Meeting, items: Sequence[AgendaItem], licence: LicenceView) -> str:
    """A meeting in plain text: when and where, its agenda, the licence."""
    lang = meeting.council.default_language
    when = local_time(meeting.starts_at, meeting.council)
    head = (
        _t(lang, WHEN_WHERE) % {"when": when, "where": meeting.location}
        if meeting.location
        else when
    )
    lines = [meeting.body_name, head]
    if meeting.status == "cancelled":
        lines.append(_t(lang, CANCELLED))
    if items:
        lines += ["", _t(lang, AGENDA) + ":", *_agenda_lines(items, lang)]
    return "\n".join([*lines, "", licence.attribution])


def calendar(
    council: Council,
    meetings: Sequence[Meeting],
    agendas: dict[int, list[AgendaItem]],
    licence: LicenceView,
    base_url: str,
    host: str,
) -> bytes:
    """A council's upcoming meetings as an iCalendar feed."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", council.name)
    cal.add("x-wr-calname", council.name)
    cal.add("description", licence.attribution)
    cal.add("url", f"{base_url}/api/councils/{council.slug}/meetings.ics")
    cal.add("refresh-interval", CALENDAR_REFRESH, parameters={"VALUE": "DURATION"})
    if licence.url:
        cal.add("x-license-url", licence.url)
    for m in meetings:
        event = Event()
        event.add("uid", f"meeting-{m.id}@{host}")
        event.add("dtstamp", m.updated_at)
        event.add("last-modified", m.updated_at)
        event.add("created", m.created_at)
        event.add("dtstart", m.starts_at)
        event.add("summary", title_in(m, council.default_language))
        event.add("sequence", m.status_version)
        event.add("status", ICS_STATUS.get(m.status, "CONFIRMED"))
        event.add("url", f"{base_url}/meetings/{m.id}")
        if m.location:
            event.add("location", m.location)
        event.add("description", describe_meeting(m, agendas.get(m.id, []), licence))
        cal.add_component(event)
    body: bytes = cal.to_ical()
    return body


def _xml(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: _xml(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _xml(text)
    return element


def atom(
    meetings: Sequence[Meeting],
    licences: dict[int, LicenceView],
    base_url: str,
    self_url: str,
    title: str,
    feed_rights: str | None,
) -> bytes:
    """New meetings (newest first) as an Atom feed; each entry carries its council's licence
    as ``rights``, and the feed too when it is one council's."""
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _el(feed, "id", self_url)
    _el(feed, "title", title)
    newest = max((m.updated_at for m in meetings), default=datetime(1970, 1, 1, tzinfo=UTC))
    _el(feed, "updated", iso(newest))
    _el(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    _el(feed, "link", rel="alternate", href=f"{base_url}/", type="text/html")
    _el(feed, "generator", "Council Hub")
    if feed_rights:
        _el(feed, "rights", feed_rights)
    for m in meetings:
        page = f"{base_url}/meetings/{m.id}"
        licence = licences[m.council_id]
        entry = _el(feed, "entry")
        _el(entry, "id", page)
        _el(entry, "title", title_in(m, m.council.default_language))
        _el(entry, "published", iso(m.created_at))
        _el(entry, "updated", iso(m.updated_at))
        author = _el(entry, "author")
        _el(author, "name", m.council.name)
        _el(entry, "link", rel="alternate", href=page, type="text/html")
        _el(
            entry,
            "link",
            rel="alternate",
            href=f"{base_url}/api/meetings/{m.id}/export.json",
            type="application/json",
        )
        if licence.url:
            _el(entry, "link", rel="license", href=licence.url)
        _el(entry, "category", term=m.council.slug, label=m.council.name)
        _el(entry, "summary", describe_meeting(m, [], licence), type="text")
        _el(entry, "rights", licence.attribution)
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body
