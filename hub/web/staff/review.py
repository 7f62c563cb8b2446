"""What councillors (and clerks) read: the feedback per agenda item, and the moderation log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub import auth
from hub.queries.meetings import snapshot
from hub.queries.moderation import area_totals, moderation_log
from hub.queries.review import feedback_by_item
from hub.shapes.public import meeting_view
from hub.shapes.serialise import as_json
from hub.web import labels, services
from hub.web.errors import templates, wants_json
from hub.web.guards import Need, staff_meeting
from hub.web.staff.moderation import reasons_of


async def audit(request: Request) -> Response:
    checked = await staff_meeting(request, Need.REVIEW)
    if isinstance(checked, Response):
        return checked
    staff, meeting = checked
    async with services(request).sessionmaker() as session:
        entries = await moderation_log(session, meeting.id)
    if wants_json(request):
        return JSONResponse({"entries": entries})
    return templates(request).TemplateResponse(
        request,
        "staff/audit.html",
        {
            "staff": staff,
            "meeting": as_json(meeting_view(meeting)),
            "entries": entries,
            "reasons": reasons_of(meeting),
            "csrf": auth.csrf_token(request),
        },
    )


async def review(request: Request) -> Response:
    """Councillors (and clerks) review the published feedback, per agenda item."""
    checked = await staff_meeting(request, Need.REVIEW)
    if isinstance(checked, Response):
        return checked
    staff, meeting = checked
    async with services(request).sessionmaker() as session:
        snap = await snapshot(session, meeting.id)
        assert snap is not None
        areas = await area_totals(session, meeting.id)
    return templates(request).TemplateResponse(
        request,
        "staff/review.html",
        {
            "staff": staff,
            "meeting": snap["meeting"],
            "groups": feedback_by_item(snap),
            "areas": areas,
            "labels": labels.translated(),
            "csrf": auth.csrf_token(request),
        },
    )
