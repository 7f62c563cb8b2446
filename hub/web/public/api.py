"""The public JSON API (docs/api.md): meetings, snapshots, the event log over HTTP, the
moderation summary."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.events import log as event_log
from hub.events.schema import Audience
from hub.queries.meetings import list_meetings, load_meeting, snapshot
from hub.queries.participation import moderation_summary
from hub.shapes.public import meeting_view
from hub.shapes.serialise import as_json
from hub.web import services
from hub.web.errors import json_error
from hub.web.inputs import parse_number

PAGE_SIZE = 50
EVENTS_PAGE_MAX = 1000


async def api_meetings(request: Request) -> Response:
    council = request.query_params.get("council") or None
    page = parse_number(request.query_params.get("page", "1"))
    if page is None or page < 1:
        return json_error(400, "bad_page", "page must be a positive integer")
    async with services(request).sessionmaker() as session:
        meetings, total = await list_meetings(
            session, council=council, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        body = {
            "meetings": [as_json(meeting_view(m)) for m in meetings],
            "page": page,
            "page_size": PAGE_SIZE,
            "total": total,
        }
    return JSONResponse(body)


async def api_meeting(request: Request) -> Response:
    async with services(request).sessionmaker() as session:
        snap = await snapshot(session, request.path_params["meeting_id"])
    if snap is None:
        return json_error(404, "not_found", "no such meeting")
    return JSONResponse(snap)


async def api_events(request: Request) -> Response:
    """Logged public events after ``after``, for open-data consumers and clients without a
    socket: ``{"events": [...], "last_seq": N}``; page with ``after`` = the last seq received."""
    meeting_id: int = request.path_params["meeting_id"]
    after = parse_number(request.query_params.get("after", "0"))
    if after is None:
        return json_error(400, "bad_after", "after must be a non-negative integer")
    limit = parse_number(request.query_params.get("limit", str(EVENTS_PAGE_MAX)))
    if limit is None or not 1 <= limit <= EVENTS_PAGE_MAX:
        return json_error(400, "bad_limit", f"limit must be between 1 and {EVENTS_PAGE_MAX}")
    async with services(request).sessionmaker() as session:
        b = await event_log.bounds(session, meeting_id)
        if b is None:
            return json_error(404, "not_found", "no such meeting")
        if after > b.last_seq:
            return json_error(409, "future", "after is beyond the last event", last_seq=b.last_seq)
        if after < b.first_seq - 1:
            return json_error(
                410,
                "pruned",
                "events before this point are no longer kept; reload the snapshot",
                first_seq=b.first_seq,
            )
        events = await event_log.replay(
            session,
            meeting_id,
            after,
            audiences=frozenset({Audience.PUBLIC}),
            limit=limit,
            up_to=b.last_seq,
        )
    # Envelopes are stored as JSON text: splice them in rather than decode and re-encode.
    body = '{"events":[' + ",".join(e.envelope for e in events) + f'],"last_seq":{b.last_seq}}}'
    return Response(body, media_type="application/json")


async def summary(request: Request) -> Response:
    """How many submissions were published, are waiting, were rejected (by reason)."""
    async with services(request).sessionmaker() as session:
        meeting = await load_meeting(session, request.path_params["meeting_id"])
        if meeting is None:
            return json_error(404, "not_found", "no such meeting")
        return JSONResponse(await moderation_summary(session, meeting.id))
