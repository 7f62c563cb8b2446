"""Modern.gov (most UK councils): ``<base>/mgWebService.asmx/GetCommittees``, ``GetMeetings``
and ``GetMeeting``, XML.

What the service really sends (/work/shared/samples, DESIGN.md section 6): dates ``dd/mm/yyyy``
(ISO dates in a query are silently ignored), times as ``10.00 am`` or ``13:30``, local to the
council (Europe/London, so BST in summer); the number to print is ``fulldisplaynumberformat``
("1." for the fourth ``agendaitemnumber``); titles sometimes escaped twice; ``isrestricted``
items (exempt or confidential business) and restricted documents; a single element where a
list is expected (ElementTree's ``findall`` reads one or many alike); cancelled and
rescheduled meetings. Agenda text is Word's HTML, escaped inside the XML.

Welsh: a bilingual council runs Modern.gov twice over one database, an English site and a Welsh
one (``modgoveng.`` / ``modgovcym.`` and the like), so one meeting has the same ``meetingid``
and its items the same ``agendaitemid`` on both, with the titles and text in each language.
Given the Welsh site (``welsh_url``), each meeting is read there too and its Welsh titles
paired with the English by those ids. If the Welsh read fails the meeting still comes, with no
Welsh (``None``: the hub keeps the Welsh it had), so a Welsh site's outage never stops an import.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from urllib.parse import urljoin
from xml.etree.ElementTree import Element
from zoneinfo import ZoneInfo

import httpx

from integrations.agendas import _http
from integrations.agendas._xml import flag, parse, text
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

SERVICE = "mgWebService.asmx"
_TIME = re.compile(r"^(\d{1,2})(?:[.:](\d{2}))?\s*([ap])\.?\s*m\.?$|^(\d{1,2})[.:](\d{2})$")
# Statuses whose meeting does not take place. "Moved" and "Rescheduled" meetings carry their new
# date and take place then; "Not confirmed" ones are still planned.
_CANCELLED = frozenset({"cancelled", "canceled", "abandoned", "postponed"})


@dataclass(frozen=True)
class Committee:
    id: str
    title: str
    active: bool


def parse_date(value: str) -> date:
    """``dd/mm/yyyy``."""
    try:
        day, month, year = (int(p) for p in value.strip().split("/"))
        return date(year, month, day)
    except ValueError:
        raise Malformed(f"Modern.gov date {value!r} is not dd/mm/yyyy") from None


def parse_time(value: str) -> time:
    """``10.00 am``, ``2 pm``, ``13:30``, ``12 noon``; empty is midnight (no time announced)."""
    raw = value.strip().lower()
    if not raw:
        return time(0, 0)
    if "noon" in raw or "midday" in raw:
        return time(12, 0)
    match = _TIME.match(raw)
    if match is None:
        raise Malformed(f"Modern.gov time {value!r} is neither '10.00 am' nor '13:30'")
    if match.group(4) is not None:
        hour, minute = int(match.group(4)), int(match.group(5))
    else:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12:
            raise Malformed(f"Modern.gov time {value!r} has no such hour")
        hour = hour % 12 + (12 if match.group(3) == "p" else 0)
    if hour > 23 or minute > 59:
        raise Malformed(f"Modern.gov time {value!r} has no such hour")
    return time(hour, minute)


def local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time in the council's zone (zoneinfo gives BST or GMT for that date)."""
    return datetime.combine(day, at, tzinfo=zone)


def display_number(item: Element) -> str:
    shown = text(item, "fulldisplaynumberformat").rstrip(".").strip()
    if shown:
        return shown
    return text(item, "agendaitemnumber") + text(item, "agendaitemsubnumber")


class ModernGovSource:
    kind = Kind.MODERNGOV

    def __init__(
        self,
        base_url: str,
        zone: str,
        *,
        committees: tuple[str, ...] = (),
        welsh_url: str | None = None,
        timeout: httpx.Timeout | float = _http.TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.zone = ZoneInfo(zone)
        self.committee_ids = committees
        self.welsh_url = welsh_url.rstrip("/") + "/" if welsh_url else None
        self._http = _http.client(timeout, transport=transport)

    async def aclose(self) -> None:
        await self._http.aclose()

    def _url(self, method: str, base: str | None = None) -> str:
        return urljoin(base or self.base_url, f"{SERVICE}/{method}")

    async def _call(self, method: str, params: dict[str, str], base: str | None = None) -> Element:
        what = f"Modern.gov {method}" + (" (Welsh site)" if base else "")
        body = await _http.get(
            self._http, self._url(method, base), what=what, expect="XML", params=params
        )
        return parse(body, what)

    async def committees(self) -> list[Committee]:
        root = await self._call("GetCommittees", {"lCommitteeType": "0"})
        return [
            Committee(
                text(c, "committeeid"),
                one_line(text(c, "committeetitle")),
                not (flag(c, "committeedeleted") or flag(c, "committeeexpired")),
            )
            for c in root.iter("committee")
        ]

    async def meetings(self, start: date, end: date) -> AsyncIterator[Fetched]:
        listed: list[tuple[str, str, Element]] = []
        for committee_id in self.committee_ids or ("",):
            root = await self._call(
                "GetMeetings",
                {
                    "lCommitteeId": committee_id,
                    "sFromDate": start.strftime("%d/%m/%Y"),
                    "sToDate": end.strftime("%d/%m/%Y"),
                },
            )
            if root.tag != "getmeetings":
                raise Malformed(f"Modern.gov GetMeetings sent <{root.tag}>, not <getmeetings>")
            for committee in root.iter("committee"):
                cid = text(committee, "committeeid")
                title = one_line(text(committee, "committeetitle"))
                for meeting in committee.iter("meeting"):
                    listed.append((cid, title, meeting))
        welsh_committees = await self._welsh_committees()
        for cid, committee_title, listing in listed:
            meeting_id = text(listing, "meetingid")
            label = f"{committee_title or 'meeting'} on {text(listing, 'meetingdate') or '?'}"
            if not meeting_id:
                yield MeetingFailure("", label, "listed without a meetingid")
                continue
            try:
                root = await self._call("GetMeeting", {"lMeetingId": meeting_id})
                imported = self._meeting(root, meeting_id, cid, committee_title)
            except SourceError as exc:
                yield MeetingFailure(meeting_id, label, str(exc))
                continue
            yield await self._with_welsh(imported, welsh_committees.get(cid))

    async def _welsh_committees(self) -> dict[str, str]:
        """Committee titles on the Welsh site, by id ({} without one, or if it fails)."""
        if self.welsh_url is None:
            return {}
        try:
            root = await self._call("GetCommittees", {"lCommitteeType": "0"}, self.welsh_url)
        except SourceError:
            return {}
        return {
            text(c, "committeeid"): one_line(text(c, "committeetitle"))
            for c in root.iter("committee")
        }

    async def _with_welsh(self, meeting: ImportedMeeting, title_cy: str | None) -> ImportedMeeting:
        """The meeting with its Welsh titles from the Welsh site, paired by id; unchanged
        (no Welsh) without a Welsh site or if reading it fails."""
        if self.welsh_url is None:
            return meeting
        try:
            root = await self._call(
                "GetMeeting", {"lMeetingId": meeting.external_id}, self.welsh_url
            )
            if root.tag != "meeting":
                raise Malformed(f"Modern.gov GetMeeting sent <{root.tag}>, not <meeting>")
        except SourceError:
            return meeting
        welsh: dict[str, tuple[str, str]] = {}
        for element in root.findall("agendaitems/agendaitem"):
            title, rest = title_and_rest(text(element, "agendaitemtitle"))
            description = plain_text(text(element, "agendatext"))
            welsh[text(element, "agendaitemid")] = (
                title,
                "\n\n".join(p for p in (rest, description) if p),
            )

        def paired(item: ImportedItem) -> ImportedItem:
            title, description = welsh.get(item.external_id, ("", ""))
            return replace(
                item,
                # The same words as the English are no translation: left empty.
                title_cy=title if title != item.title else "",
                description_cy=description if description != item.description else "",
                children=tuple(paired(c) for c in item.children),
            )

        items = tuple(paired(i) for i in meeting.items) if meeting.items is not None else None
        # The meeting's title is its committee's: None if the Welsh site's committee list
        # failed or lacks it (the Welsh title stored before is kept).
        cy = None if title_cy is None else (title_cy if title_cy != meeting.title else "")
        return replace(meeting, title_cy=cy, items=items)

    def _meeting(
        self, root: Element, meeting_id: str, committee_id: str, committee_title: str
    ) -> ImportedMeeting:
        if root.tag != "meeting":
            raise Malformed(f"Modern.gov GetMeeting sent <{root.tag}>, not <meeting>")
        if text(root, "meetingid") and text(root, "meetingid") != meeting_id:
            raise Malformed(f"GetMeeting for {meeting_id} sent meeting {text(root, 'meetingid')}")
        starts = local(
            parse_date(text(root, "meetingdate")), parse_time(text(root, "meetingtime")), self.zone
        )
        status = text(root, "meetingstatus").lower()
        items: tuple[ImportedItem, ...] | None = None
        if flag(root, "agendapublished") or root.find("agendaitems/agendaitem") is not None:
            items = self._items(root.findall("agendaitems/agendaitem"))
        location = " ".join(
            p
            for p in (one_line(text(root, "meetingroom")), one_line(text(root, "meetinglocation")))
            if p
        )
        url = urljoin(self.base_url, f"ieListDocuments.aspx?CId={committee_id}&MId={meeting_id}")
        return ImportedMeeting(
            source_kind=Kind.MODERNGOV,
            external_id=meeting_id,
            title=committee_title or "Meeting",
            body_name=committee_title or "",
            starts_at=starts,
            location=location,
            state=State.CANCELLED if status in _CANCELLED else State.SCHEDULED,
            items=items,
            url=url if committee_id else None,
        )

    def _items(self, elements: list[Element]) -> tuple[ImportedItem, ...]:
        # A sub-item (agendaitemsubnumber set) nests under the item with its agendaitemnumber.
        tops: list[tuple[str, ImportedItem, list[ImportedItem]]] = []
        for element in elements:
            item = self._item(element)
            main, sub = text(element, "agendaitemnumber"), text(element, "agendaitemsubnumber")
            parent = next((t for t in reversed(tops) if t[0] == main), None) if sub else None
            if parent is not None:
                parent[2].append(item)
            else:
                tops.append((main, item, []))
        return tuple(replace(item, children=tuple(children)) for _, item, children in tops)

    def _item(self, element: Element) -> ImportedItem:
        item_id = text(element, "agendaitemid")
        if not item_id:
            raise Malformed("an agenda item has no agendaitemid")
        title, rest = title_and_rest(text(element, "agendaitemtitle"))
        description = plain_text(text(element, "agendatext"))
        documents = tuple(
            Document(
                one_line(text(doc, "title")) or "Document",
                urljoin(self.base_url, text(doc, "url")),
            )
            for doc in element.findall("linkeddocuments/linkeddoc")
            # Exempt documents are left out entirely: not stored, not shown to anyone.
            if not flag(doc, "isrestricted") and text(doc, "url")
        )
        restricted = (
            flag(element, "isrestricted") or text(element, "isdisplayallowed").lower() == "false"
        )
        return ImportedItem(
            external_id=item_id,
            number=display_number(element),
            title=title or "(untitled)",
            description="\n\n".join(p for p in (rest, description) if p),
            restricted=restricted,
            documents=documents,
        )
