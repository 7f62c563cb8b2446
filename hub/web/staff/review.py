"""What councillors (and clerks) read: the feedback per agenda item, and the moderation log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.queries.meetings import load_meeting, snapshot_of
from hub.queries.moderation import area_totals, moderation_log
from hub.queries.review import feedback_by_item
from hub.shapes.public import meeting_view
from hub.shapes.serialise import as_json
from hub.web import services
from hub.web.errors import wants_json
from hub.web.guards import Need, staff_meeting
from hub.web.render import staff_page
from hub.web.staff.moderation import reasons_of


async def audit(request: Request) -> Response:
    checked = await staff_meeting(request, Need.REVIEW)
    if isinstance(checked, Response):
        return checked
    staff, meeting = checked
    async with services(request).sessionmaker() as session:
        fresh = await load_meeting(session, meeting.id)
        assert fresh is not None
        last_seq = fresh.last_seq  # read first: the log below is at least this fresh
        entries = await moderation_log(session, meeting.id)
    # Who wrote what (the pseudonym) is for the clerks who moderate, to spot a repeat poster;
    # councillors read what was decided and why.
    show_participant = staff.can_drive(meeting.council_id)
    if not show_participant:
        entries = [{k: v for k, v in e.items() if k != "participant"} for e in entries]
    if wants_json(request):
        return JSONResponse({"entries": entries, "last_seq": last_seq})
    context = {
        "meeting": as_json(meeting_view(meeting)),
        "entries": entries,
        "reasons": reasons_of(meeting),
        "show_participant": show_participant,
        "last_seq": last_seq,
    }
    return staff_page(request, "staff/audit.html", staff, context)


async def review(request: Request) -> Response:
    """Councillors (and clerks) review the published feedback, per agenda item."""
    checked = await staff_meeting(request, Need.REVIEW)
    if isinstance(checked, Response):
        return checked
    staff, meeting = checked
    async with services(request).sessionmaker() as session:
        snap = await snapshot_of(session, meeting.id)
        areas = await area_totals(session, meeting.id)
    context = {"meeting": snap["meeting"], "groups": feedback_by_item(snap), "areas": areas}
    return staff_page(request, "staff/review.html", staff, context)
