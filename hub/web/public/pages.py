"""Residents' pages: the list of meetings and a meeting's page."""

from __future__ import annotations

import functools
import re

from starlette.requests import Request
from starlette.responses import Response

from hub import i18n
from hub.models import MeetingStatus, iso, utcnow
from hub.policy import (
    CLOSED_MESSAGES,
    SYSTEM_REASONS,
    meeting_window,
    policy_of,
    shown_hashtags,
)
from hub.queries.councils import all_councils, council_by_host
from hub.queries.meetings import list_meetings, load_meeting, snapshot
from hub.queries.participation import mine, moderation_summary
from hub.queries.timeline import opened_at
from hub.settings import Settings
from hub.shapes.opendata import licence_view
from hub.shapes.own import participant_code
from hub.shapes.public import meeting_view
from hub.web import participants, services
from hub.web.errors import error_response
from hub.web.inputs import NUMBER_MAX_DIGITS, parse_number, read_query, takes
from hub.web.public.api import PAGE_SIZE
from hub.web.public.council_look import council_look
from hub.web.render import page
from hub.web.security import csp_with_frames
from hub.web.shared import Shared, shared_answers
from hub.webcast import video_for, video_hosts


def page_language(request: Request, council_language: str) -> None:
    """Use the council's language unless the visitor chose one."""
    i18n.use_council_language(request, council_language)


def not_found_page(request: Request) -> Response:
    return error_response(request, 404, "not_found", i18n.gettext_("There is no such meeting."))


def request_host(request: Request) -> str:
    """The Host the request names, lower case, without its port."""
    host = request.headers.get("host", "").strip().lower()
    if host.startswith("["):  # an IPv6 literal names no council
        return ""
    return host.rsplit(":", 1)[0] if ":" in host else host


@takes(query={"page": NUMBER_MAX_DIGITS})
async def index(request: Request) -> Response:
    """The deployment's home: its councils and the latest meetings; or, on a council's own
    host name, that council's home page."""
    from hub.web.public.council_home import page_of, render_home

    svc = services(request)
    async with svc.sessionmaker() as session:
        own = await council_by_host(session, request_host(request))
        if own is None:
            councils = await all_councils(session)
            meetings, _total = await list_meetings(session, council=None, limit=PAGE_SIZE, offset=0)
            views = [meeting_view(m) for m in meetings]
    if own is not None:
        number = page_of(request)
        if isinstance(number, Response):
            return number
        return await render_home(request, own, number)
    return page(request, "index.html", {"meetings": views, "councils": councils})


# The per-visitor values of a first visit's page, rendered as these markers and filled in per
# request (see ``first_visit``). Letters that no page text, id or JSON contains.
SLOT_TOKEN = "zqFORMqz" + "q" * 56  # as long as a form token; its first 8 as the no-JS token
SLOT_CODE = "zqCODEqz-qz"
SLOTS = re.compile(f"({SLOT_TOKEN}|{SLOT_TOKEN[:8]}|{SLOT_CODE})".encode())


@takes(query={"sent": NUMBER_MAX_DIGITS})
async def meeting_page(request: Request) -> Response:
    svc = services(request)
    meeting_id: int = request.path_params["meeting_id"]
    query = read_query(request)
    if isinstance(query, Response):
        return query
    secret = svc.settings.secret_key
    participant = participants.participant_of(request, secret)
    if participant is None and not request.url.query:
        return await first_visit(request, meeting_id)
    new_participant = participant is None
    if participant is None:
        participant = participants.new_participant()
    rendered = await render_page(request, meeting_id, participant, parse_number(query.get("sent")))
    if rendered is None:
        return not_found_page(request)
    response, _seq = rendered
    return personal(request, response, participant, new_participant)


def personal(request: Request, response: Response, participant: str, new: bool) -> Response:
    svc = services(request)
    if new:
        # The page's socket then carries it, so the resident's own statuses arrive live.
        participants.set_cookie(
            response, participant, svc.settings.secret_key, svc.settings.https_only
        )
    # Never from a cache: the form's tokens and the resident's own statuses are per visit.
    response.headers["cache-control"] = "no-store"
    return response


async def first_visit(request: Request, meeting_id: int) -> Response:
    """A visitor without the participant cookie (most of a crowd arriving as the meeting starts):
    the page is the same for all of them but for their new participant id's form token and
    code, so it is rendered once per (meeting, last seq, language) with markers in their place
    (hub/web/shared.py) and each visitor gets a copy with their own values filled in and their
    cookie set: byte for byte what a render for them would give, at a fraction of the cost."""
    svc = services(request)
    shared = shared_answers(request)
    seq = await shared.current_seq(svc, meeting_id)
    if seq is None:
        return not_found_page(request)
    chosen = i18n.current_language() if request.scope.get("state", {}).get("lang_explicit") else ""

    async def render() -> Shared | None:
        rendered = await render_page(request, meeting_id, None, None)
        if rendered is None:
            return None
        response, at = rendered
        csp = response.headers.get("content-security-policy")
        headers = {"content-security-policy": csp} if csp else {}
        body = bytes(response.body)
        fill = functools.partial(fill_first_visit, SLOTS.split(body))
        return Shared.of(at, body, "text/html; charset=utf-8", headers, fill)

    entry = await shared.get(("page", meeting_id, chosen), seq, render)
    if entry is None:
        return not_found_page(request)
    return entry.answer("", svc.settings)


def fill_first_visit(parts: list[bytes], entry: Shared, settings: Settings) -> Response:
    """A copy of the shared first-visit page for a new participant: their form token and code
    in place of the markers (``parts``: the page split at them, markers at odd places), their
    cookie set, stored by no cache."""
    participant = participants.new_participant()
    token = participants.form_token(participant, settings.secret_key).encode()
    values = {
        SLOT_TOKEN.encode(): token,
        SLOT_TOKEN[:8].encode(): token[:8],
        SLOT_CODE.encode(): participant_code(participant).encode(),
    }
    body = b"".join(values[p] if i % 2 else p for i, p in enumerate(parts))
    response = Response(body, media_type=entry.media_type, headers=entry.headers)
    # The page's socket then carries the cookie, so the resident's own statuses arrive live.
    participants.set_cookie(response, participant, settings.secret_key, settings.https_only)
    response.headers["cache-control"] = "no-store"
    return response


async def render_page(
    request: Request, meeting_id: int, participant: str | None, sent: int | None
) -> tuple[Response, int] | None:
    """The meeting's page for ``participant`` (None: markers in place of a new visitor's own
    values, see ``first_visit``), and the seq it shows; None if there is no such meeting."""
    svc = services(request)
    secret = svc.settings.secret_key
    async with svc.sessionmaker() as session:
        snap = await snapshot(session, meeting_id)
        if snap is None:
            return None
        meeting = await load_meeting(session, meeting_id)
        assert meeting is not None
        own = None if participant is None else await mine(session, meeting, participant)
        summary = await moderation_summary(session, meeting_id)
        video = video_for(meeting.webcast_url, video_hosts(meeting.council.video_hosts))
        recording = None
        if video is not None and video.at_template and meeting.status != MeetingStatus.SCHEDULED:
            opened = await opened_at(session, meeting_id)
            if opened is not None:
                recording = {"at_template": video.at_template, "opened_at": iso(opened)}
    look = council_look(request, meeting.council)
    policy = policy_of(meeting.council)
    closed = meeting_window(policy, meeting, utcnow())
    participation = {
        "open": closed is None,
        "closed_message": i18n.gettext_(CLOSED_MESSAGES[closed]) if closed else None,
        # The page re-applies the window itself when the meeting's view changes (an event).
        "closed_messages": {k.value: i18n.gettext_(v) for k, v in CLOSED_MESSAGES.items()},
        "premoderated": policy.premoderated,
        "max_chars": policy.max_chars,
        "form_token": SLOT_TOKEN
        if participant is None
        else participants.form_token(participant, secret),
        # The council's reasons, and the hub's own ("Deleted at its source"), for the figures.
        "reasons": {k: i18n.gettext_(v) for k, v in {**SYSTEM_REASONS, **policy.reasons}.items()},
        "sent": sent,
        "participant_known": True,  # the response always carries the cookie
        "participant_code": SLOT_CODE if participant is None else participant_code(participant),
    }
    response = page(
        request,
        "meeting.html",
        {
            "snap": snap,
            "meeting": snap["meeting"],
            "items": snap["items"],
            "contributions": snap["contributions"],
            "mine": own,
            "summary": summary,
            "participation": participation,
            # The council's hashtags, beside the meeting's own (in its view, kept live).
            "council_hashtags": shown_hashtags(meeting.council.hashtags or ""),
            "licence": licence_view(meeting.council),
            "video": video,
            "recording": recording,
            **look,
        },
    )
    if video is not None:
        # Frames from the one player this page may embed, and nothing else.
        response.headers["content-security-policy"] = csp_with_frames(video.frame_origin)
    return response, int(snap["last_seq"])
