"""Residents' pages: the list of meetings and a meeting's page."""

from __future__ import annotations

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
from hub.queries.meetings import list_meetings, load_meeting, snapshot
from hub.queries.participation import mine, moderation_summary
from hub.queries.timeline import opened_at
from hub.shapes.opendata import licence_view
from hub.shapes.own import participant_code
from hub.shapes.public import meeting_view
from hub.web import participants, services
from hub.web.errors import error_response
from hub.web.inputs import NUMBER_MAX_DIGITS, parse_number, read_query, takes
from hub.web.public.api import PAGE_SIZE
from hub.web.render import page
from hub.web.security import csp_with_frames
from hub.webcast import video_for, video_hosts


def page_language(request: Request, council_language: str) -> None:
    """Use the council's language unless the visitor chose one."""
    i18n.use_council_language(request, council_language)


def not_found_page(request: Request) -> Response:
    return error_response(request, 404, "not_found", i18n.gettext_("There is no such meeting."))


async def index(request: Request) -> Response:
    svc = services(request)
    async with svc.sessionmaker() as session:
        meetings, _total = await list_meetings(session, council=None, limit=PAGE_SIZE, offset=0)
        views = [meeting_view(m) for m in meetings]
    return page(request, "index.html", {"meetings": views})


@takes(query={"sent": NUMBER_MAX_DIGITS})
async def meeting_page(request: Request) -> Response:
    svc = services(request)
    meeting_id: int = request.path_params["meeting_id"]
    query = read_query(request)
    if isinstance(query, Response):
        return query
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
        video = video_for(meeting.webcast_url, video_hosts(meeting.council.video_hosts))
        recording = None
        if video is not None and video.at_template and meeting.status != MeetingStatus.SCHEDULED:
            opened = await opened_at(session, meeting_id)
            if opened is not None:
                recording = {"at_template": video.at_template, "opened_at": iso(opened)}
    page_language(request, snap["meeting"]["language"])
    policy = policy_of(meeting.council)
    closed = meeting_window(policy, meeting, utcnow())
    participation = {
        "open": closed is None,
        "closed_message": i18n.gettext_(CLOSED_MESSAGES[closed]) if closed else None,
        # The page re-applies the window itself when the meeting's view changes (an event).
        "closed_messages": {k.value: i18n.gettext_(v) for k, v in CLOSED_MESSAGES.items()},
        "premoderated": policy.premoderated,
        "max_chars": policy.max_chars,
        "form_token": participants.form_token(participant, secret),
        # The council's reasons, and the hub's own ("Deleted at its source"), for the figures.
        "reasons": {k: i18n.gettext_(v) for k, v in {**SYSTEM_REASONS, **policy.reasons}.items()},
        "sent": parse_number(query.get("sent")),
        "participant_known": True,  # the response always carries the cookie
        "participant_code": participant_code(participant),
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
        },
    )
    if video is not None:
        # Frames from the one player this page may embed, and nothing else.
        response.headers["content-security-policy"] = csp_with_frames(video.frame_origin)
    if new_participant:
        # The page's socket then carries it, so the resident's own statuses arrive live.
        participants.set_cookie(response, participant, secret, svc.settings.https_only)
    # Never from a cache: the form's tokens and the resident's own statuses are per visit.
    response.headers["cache-control"] = "no-store"
    return response
