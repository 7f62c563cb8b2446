"""Open data: a meeting's record as JSON, its published contributions as CSV, the meeting as an
Open Civic Data event; a council's upcoming meetings as iCalendar; new meetings as Atom.

Public, and built from the public views only (hub/shapes/opendata.py), so nothing personal can
reach them. Every answer names the council's licence (in the body, and as a ``Link: <...>;
rel="license"`` header) and is cacheable by a CDN (hub/web/caching.py: ETag, 304).
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from hub.actions.councils import SLUG_RE
from hub.i18n import N_
from hub.models import utcnow
from hub.queries.councils import council_by_slug
from hub.queries.exports import agendas, meeting_record, newest_meetings, upcoming_meetings
from hub.shapes.opendata import LicenceView, MeetingRecord, licence_view, ocd_event
from hub.shapes.serialise import as_json
from hub.shapes.tables import contributions_csv
from hub.web import services
from hub.web.caching import cacheable
from hub.web.errors import json_error
from hub.web.inputs import read_query, takes
from hub.web.openapi import (
    BAD_QUERY,
    CACHE_HEADERS,
    ERROR,
    IF_NONE_MATCH,
    NOT_FOUND,
    NOT_MODIFIED,
    Body,
    Operation,
    Param,
    documented,
)
from hub.web.public.api import COUNCIL_PARAM, SLUG_MAX_CHARS
from hub.web.public.feeds import atom, calendar

ATOM = "application/atom+xml"
ICS = "text/calendar"
CSV = "text/csv"
NO_COUNCIL = Body(N_("No such council."), ERROR)
SLUG_PATH = {
    "slug": Param(
        N_("The council's slug (as in meeting.council_slug)."),
        {"type": "string", "pattern": SLUG_RE.pattern},
    )
}


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def licence_headers(licence: LicenceView) -> dict[str, str]:
    return {"link": f'<{licence.url}>; rel="license"'} if licence.url else {}


def _exported(description: str, shape: type | dict[str, str], media_type: str) -> Body:
    return Body(description, shape, media_type, headers=CACHE_HEADERS)


def _export_operation(summary: str, description: str, body: Body) -> Operation:
    return Operation(
        tag=N_("Open data"),
        summary=summary,
        description=description,
        headers=IF_NONE_MATCH,
        responses={200: body, 304: NOT_MODIFIED, 404: NOT_FOUND},
    )


async def _record(request: Request) -> MeetingRecord | Response:
    async with services(request).sessionmaker() as session:
        record = await meeting_record(session, request.path_params["meeting_id"])
    return record if record is not None else json_error(404, "not_found", "no such meeting")


@documented(
    _export_operation(
        N_("A meeting's public record (JSON)"),
        N_(
            "The meeting, its agenda with each item's times and outcome, its published comments "
            "and questions and the moderation figures, under the council's licence."
        ),
        _exported(N_("The record."), MeetingRecord, "application/json"),
    )
)
async def record_json(request: Request) -> Response:
    record = await _record(request)
    if isinstance(record, Response):
        return record
    body = json.dumps(as_json(record), ensure_ascii=False, separators=(",", ":"))
    return cacheable(request, body, "application/json", headers=licence_headers(record.licence))


@documented(
    _export_operation(
        N_("A meeting's published comments and questions (CSV)"),
        N_(
            "One row each, with its item, votes and the licence: RFC 4180, UTF-8, a header "
            "row; text that a spreadsheet would run as a formula starts with an apostrophe."
        ),
        _exported(N_("The CSV."), {"type": "string"}, CSV),
    )
)
async def contributions_csv_export(request: Request) -> Response:
    record = await _record(request)
    if isinstance(record, Response):
        return record
    disposition = f'attachment; filename="meeting-{record.meeting.id}-contributions.csv"'
    headers = {**licence_headers(record.licence), "content-disposition": disposition}
    return cacheable(request, contributions_csv(record), f"{CSV}; header=present", headers=headers)


@documented(
    _export_operation(
        N_("A meeting as an Open Civic Data event"),
        N_(
            "The meeting and its agenda in the Open Civic Data event format; the hub's item "
            "times, statuses and the licence are in extras."
        ),
        _exported(N_("The event."), {"type": "object"}, "application/json"),
    )
)
async def ocd_event_export(request: Request) -> Response:
    record = await _record(request)
    if isinstance(record, Response):
        return record
    base = base_url(request)
    mid = record.meeting.id
    event = ocd_event(record, f"{base}/meetings/{mid}", f"{base}/api/meetings/{mid}")
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    return cacheable(request, body, "application/json", headers=licence_headers(record.licence))


@documented(
    Operation(
        tag=N_("Open data"),
        summary=N_("A council's upcoming meetings (iCalendar)"),
        description=N_(
            "Subscribe in a calendar app: the council's meetings from 12 hours ago on, "
            "cancelled ones marked so, each with its agenda and the licence."
        ),
        path=SLUG_PATH,
        headers=IF_NONE_MATCH,
        responses={
            200: _exported(N_("The calendar."), {"type": "string"}, ICS),
            304: NOT_MODIFIED,
            404: NO_COUNCIL,
        },
    )
)
async def council_calendar(request: Request) -> Response:
    async with services(request).sessionmaker() as session:
        found = await upcoming_meetings(session, request.path_params["slug"], utcnow())
        if found is None:
            return json_error(404, "not_found", "no such council")
        council, meetings = found
        items = await agendas(session, [m.id for m in meetings])
    licence = licence_view(council)
    host = request.url.hostname or "council-hub"
    body = calendar(council, meetings, items, licence, base_url(request), host)
    return cacheable(request, body, ICS, headers=licence_headers(licence))


@documented(
    Operation(
        tag=N_("Open data"),
        summary=N_("New meetings (Atom)"),
        description=N_(
            "The 50 meetings most recently added, newest first, for a feed reader; each entry "
            "carries its council's licence."
        ),
        params={"council": COUNCIL_PARAM},
        headers=IF_NONE_MATCH,
        responses={
            200: _exported(N_("The feed."), {"type": "string"}, ATOM),
            304: NOT_MODIFIED,
            400: BAD_QUERY,
            404: NO_COUNCIL,
        },
    )
)
@takes(query={"council": SLUG_MAX_CHARS})
async def new_meetings_feed(request: Request) -> Response:
    query = read_query(request)
    if isinstance(query, Response):
        return query
    slug = query.get("council") or None
    async with services(request).sessionmaker() as session:
        council = await council_by_slug(session, slug) if slug else None
        if slug and council is None:
            return json_error(404, "not_found", "no such council")
        meetings = await newest_meetings(session, council)
    licences = {m.council_id: licence_view(m.council) for m in meetings}
    base = base_url(request)
    self_url = f"{base}/api/meetings.atom" + (f"?council={slug}" if slug else "")
    feed_licence = licence_view(council) if council is not None else None
    title = f"{council.name}: Council Hub" if council is not None else "Council Hub"
    body = atom(
        meetings,
        licences,
        base,
        self_url,
        title,
        feed_licence.attribution if feed_licence else None,
    )
    headers = licence_headers(feed_licence) if feed_licence else {}
    return cacheable(request, body, ATOM, headers=headers)
