"""The public JSON API (docs/api.md): meetings, snapshots, the event log over HTTP, the
moderation summary."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.actions import MAX_ID
from hub.events import log as event_log
from hub.events.schema import Audience
from hub.i18n import N_
from hub.queries.meetings import list_meetings, load_meeting, snapshot
from hub.queries.participation import moderation_summary
from hub.shapes.public import EventsPage, MeetingsPage, ModerationSummary, Snapshot, meeting_view
from hub.shapes.serialise import as_json
from hub.web import services
from hub.web.errors import json_error
from hub.web.inputs import NUMBER_MAX_DIGITS, parse_number, read_query, takes
from hub.web.openapi import BAD_QUERY, ERROR, NOT_FOUND, Body, Operation, Param, documented
from hub.web.shared import Shared, shared_answers

PAGE_SIZE = 50  # meetings a page, unless the caller asks for fewer or more (``limit``)
PAGE_SIZE_MAX = 200
# Ids are 32-bit, so no list has more rows than MAX_ID: a later page is empty anyway, and its
# offset would overflow the databases' integers.
MAX_PAGE = MAX_ID // PAGE_SIZE + 1
EVENTS_PAGE_MAX = 1000
SLUG_MAX_CHARS = 64  # councils.slug


COUNCIL_PARAM = Param(
    N_("Only this council's meetings (its slug, as in meeting.council_slug)."),
    {"type": "string"},
)


@documented(
    Operation(
        tag=N_("Meetings"),
        summary=N_("List meetings"),
        description=N_(
            "Meetings, newest first, a page at a time: follow next_page until it is null."
        ),
        params={
            "council": COUNCIL_PARAM,
            "page": Param(
                N_("Which page, from 1."), {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}
            ),
            "limit": Param(
                N_("Meetings a page: 1 to 200 (default 50)."),
                {"type": "integer", "minimum": 1, "maximum": PAGE_SIZE_MAX},
            ),
        },
        responses={200: Body(N_("One page of meetings."), MeetingsPage), 400: BAD_QUERY},
    )
)
@takes(query={"council": SLUG_MAX_CHARS, "page": NUMBER_MAX_DIGITS, "limit": NUMBER_MAX_DIGITS})
async def api_meetings(request: Request) -> Response:
    query = read_query(request)
    if isinstance(query, Response):
        return query
    council = query.get("council") or None
    page = parse_number(query.get("page", "1"))
    if page is None or not 1 <= page <= MAX_PAGE:
        return json_error(400, "bad_page", f"page must be a whole number from 1 to {MAX_PAGE}")
    limit = parse_number(query.get("limit", str(PAGE_SIZE)))
    if limit is None or not 1 <= limit <= PAGE_SIZE_MAX:
        return json_error(400, "bad_limit", f"limit must be between 1 and {PAGE_SIZE_MAX}")
    async with services(request).sessionmaker() as session:
        meetings, total = await list_meetings(
            session, council=council, limit=limit, offset=(page - 1) * limit
        )
        body = MeetingsPage(
            meetings=[meeting_view(m) for m in meetings],
            page=page,
            page_size=limit,
            total=total,
            next_page=page + 1 if page * limit < total else None,
        )
    return JSONResponse(as_json(body))


@documented(
    Operation(
        tag=N_("Meetings"),
        summary=N_("A meeting's snapshot"),
        description=N_(
            "The meeting, its agenda and its published comments and questions, with last_seq: "
            "open the live stream or /events from there."
        ),
        responses={200: Body(N_("The snapshot."), Snapshot), 404: NOT_FOUND},
    )
)
async def api_meeting(request: Request) -> Response:
    """The same for everyone: rendered once per meeting and seq (hub/web/shared.py), with its
    ETag, public for a few seconds (the live stream or /events bring it forward)."""
    svc = services(request)
    meeting_id: int = request.path_params["meeting_id"]
    shared = shared_answers(request)
    seq = await shared.current_seq(svc, meeting_id)

    async def render() -> Shared | None:
        async with svc.sessionmaker() as session:
            snap = await snapshot(session, meeting_id)
        if snap is None:
            return None
        body = bytes(JSONResponse(snap).body)
        return Shared.of(int(snap["last_seq"]), body, "application/json", {})

    entry = None if seq is None else await shared.get(("snapshot", meeting_id), seq, render)
    if entry is None:
        return json_error(404, "not_found", "no such meeting")
    return entry.response(request)


@documented(
    Operation(
        tag=N_("Meetings"),
        summary=N_("A meeting's public events"),
        description=N_(
            "The public events after a seq, oldest first: page with after = the last seq you "
            "received. Seqs of staff-only events are gaps."
        ),
        params={
            "after": Param(
                N_("The last seq you have (default 0)."), {"type": "integer", "minimum": 0}
            ),
            "limit": Param(
                N_("Events a page: 1 to 1000 (default 1000)."),
                {"type": "integer", "minimum": 1, "maximum": EVENTS_PAGE_MAX},
            ),
        },
        responses={
            200: Body(N_("The events, and the meeting's last seq."), EventsPage),
            400: BAD_QUERY,
            404: NOT_FOUND,
            409: Body(N_("after is beyond the last seq (future)."), ERROR),
            410: Body(N_("Events before first_seq are no longer kept (pruned)."), ERROR),
        },
    )
)
@takes(query={"after": NUMBER_MAX_DIGITS, "limit": NUMBER_MAX_DIGITS})
async def api_events(request: Request) -> Response:
    """Logged public events after ``after``, for open-data consumers and clients without a
    socket: ``{"events": [...], "last_seq": N}``; page with ``after`` = the last seq received."""
    meeting_id: int = request.path_params["meeting_id"]
    query = read_query(request)
    if isinstance(query, Response):
        return query
    after = parse_number(query.get("after", "0"))
    if after is None:
        return json_error(400, "bad_after", "after must be a non-negative integer")
    limit = parse_number(query.get("limit", str(EVENTS_PAGE_MAX)))
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


@documented(
    Operation(
        tag=N_("Meetings"),
        summary=N_("Moderation figures"),
        description=N_(
            "How many submissions were published, are waiting, and were refused, by reason: "
            "counts only."
        ),
        responses={200: Body(N_("The figures."), ModerationSummary), 404: NOT_FOUND},
    )
)
async def summary(request: Request) -> Response:
    """How many submissions were published, are waiting, were rejected (by reason)."""
    async with services(request).sessionmaker() as session:
        meeting = await load_meeting(session, request.path_params["meeting_id"])
        if meeting is None:
            return json_error(404, "not_found", "no such meeting")
        return JSONResponse(await moderation_summary(session, meeting.id))
