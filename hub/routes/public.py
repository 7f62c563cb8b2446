"""Public pages and the public JSON API (docs/api.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from hub import i18n, labels, participants
from hub.events import log as event_log
from hub.events.schema import Audience
from hub.models import utcnow
from hub.policy import CLOSED_MESSAGES, meeting_window, policy_of
from hub.routes import json_error, parse_seq, services
from hub.snapshot import list_meetings, load_meeting, mine, moderation_summary, snapshot
from hub.views import as_json, meeting_view

PAGE_SIZE = 50
EVENTS_PAGE_MAX = 1000


def page_language(request: Request, council_language: str) -> None:
    """Use the council's language unless the visitor chose one."""
    if not request.scope.get("state", {}).get("lang_explicit"):
        i18n.set_language(council_language)


async def index(request: Request) -> Response:
    svc = services(request)
    async with svc.sessionmaker() as session:
        meetings, _total = await list_meetings(session, council=None, limit=PAGE_SIZE, offset=0)
        views = [meeting_view(m) for m in meetings]
    return svc_templates(request).TemplateResponse(
        request, "index.html", {"meetings": views, "labels": labels.translated()}
    )


async def meeting_page(request: Request) -> Response:
    svc = services(request)
    meeting_id: int = request.path_params["meeting_id"]
    secret = svc.settings.secret_key
    participant = participants.participant_of(request, secret)
    new_participant = participant is None
    if participant is None:
        participant = participants.new_participant()
    async with svc.sessionmaker() as session:
        snap = await snapshot(session, meeting_id)
        if snap is None:
            return not_found_page(request)
        meeting = await load_meeting(session, meeting_id)
        assert meeting is not None
        own = await mine(session, meeting, participant)
        summary = await moderation_summary(session, meeting_id)
    page_language(request, snap["meeting"]["language"])
    policy = policy_of(meeting.council)
    closed = meeting_window(policy, meeting, utcnow())
    participation = {
        "open": closed is None,
        "closed_message": i18n.gettext_(CLOSED_MESSAGES[closed]) if closed else None,
        "premoderated": policy.premoderated,
        "max_chars": policy.max_chars,
        "form_token": participants.form_token(participant, secret),
        "reasons": {k: i18n.gettext_(v) for k, v in policy.reasons.items()},
        "sent": parse_seq(request.query_params.get("sent")),
        "participant_known": True,  # the response always carries the cookie
    }
    response = svc_templates(request).TemplateResponse(
        request,
        "meeting.html",
        {
            "snap": snap,
            "meeting": snap["meeting"],
            "items": snap["items"],
            "labels": labels.translated(),
            "contributions": snap["contributions"],
            "mine": own,
            "summary": summary,
            "participation": participation,
        },
    )
    if new_participant:
        # The page's socket then carries it, so the resident's own statuses arrive live.
        participants.set_cookie(response, participant, secret, svc.settings.https_only)
    # Never from a cache: the form's tokens and the resident's own statuses are per visit.
    response.headers["cache-control"] = "no-store"
    return response


def not_found_page(request: Request) -> Response:
    return svc_templates(request).TemplateResponse(
        request,
        "error.html",
        {"status": 404, "message": i18n.gettext_("There is no such meeting.")},
        status_code=404,
    )


def svc_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


async def api_meetings(request: Request) -> Response:
    council = request.query_params.get("council") or None
    page = parse_seq(request.query_params.get("page", "1"))
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
    after = parse_seq(request.query_params.get("after", "0"))
    if after is None:
        return json_error(400, "bad_after", "after must be a non-negative integer")
    limit = parse_seq(request.query_params.get("limit", str(EVENTS_PAGE_MAX)))
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


routes = [
    Route("/", index, name="index"),
    Route("/meetings/{meeting_id:id}", meeting_page, name="meeting"),
    Route("/api/meetings", api_meetings, name="api_meetings"),
    Route("/api/meetings/{meeting_id:id}", api_meeting, name="api_meeting"),
    Route("/api/meetings/{meeting_id:id}/events", api_events, name="api_events"),
]
