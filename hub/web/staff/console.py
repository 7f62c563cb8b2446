"""The dashboard and the clerk's console with its actions."""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from hub import auth
from hub.actions import ActionError
from hub.actions._locks import Actor
from hub.actions.agenda import set_current_item, set_item_outcome
from hub.actions.meetings import change_meeting_status
from hub.auth import StaffIdentity
from hub.events.publish import writing
from hub.models import Council, Meeting, Role
from hub.queries.meetings import snapshot, staff_activity
from hub.web import labels, services
from hub.web.errors import refusal, templates, wants_json
from hub.web.guards import Need, signed_in, staff_action, staff_meeting


def actor_of(staff: StaffIdentity) -> Actor:
    return Actor(staff.user_id, staff.display_name)


async def dashboard(request: Request) -> Response:
    staff = await signed_in(request)
    if isinstance(staff, Response):
        return staff
    async with services(request).sessionmaker() as session:
        query = select(Meeting).join(Council).order_by(Meeting.starts_at.desc()).limit(100)
        if staff.role is not Role.ADMIN:
            query = query.where(Meeting.council_id == staff.council_id)
        meetings = list((await session.execute(query)).scalars())
    return templates(request).TemplateResponse(
        request,
        "staff/index.html",
        {
            "staff": staff,
            "meetings": meetings,
            "csrf": auth.csrf_token(request),
            "labels": labels.translated(),
        },
    )


async def console(request: Request) -> Response:
    checked = await staff_meeting(request, Need.DRIVE)
    if isinstance(checked, Response):
        return checked
    staff, meeting = checked
    async with services(request).sessionmaker() as session:
        snap = await snapshot(session, meeting.id)
        assert snap is not None
        activity = await staff_activity(session, meeting.id, snap["last_seq"])
    return templates(request).TemplateResponse(
        request,
        "staff/console.html",
        {
            "staff": staff,
            "snap": snap,
            "meeting": snap["meeting"],
            "items": snap["items"],
            "activity": activity,
            "csrf": auth.csrf_token(request),
            "labels": labels.translated(),
        },
    )


def _done(request: Request, meeting_id: int, seq: int) -> Response:
    if wants_json(request):
        return JSONResponse({"ok": True, "last_seq": seq})
    return RedirectResponse(f"/staff/meetings/{meeting_id}", status_code=303)


async def meeting_action(request: Request) -> Response:
    checked = await staff_action(request)
    if isinstance(checked, Response):
        return checked
    staff, meeting, form = checked
    svc = services(request)
    try:
        async with writing(svc.sessionmaker, svc.broker) as w:
            await change_meeting_status(w, meeting.id, form.get("action", ""), actor_of(staff))
    except ActionError as exc:
        return refusal(request, exc)
    return _done(request, meeting.id, w.appended[-1].seq)


async def item_action(request: Request) -> Response:
    checked = await staff_action(request)
    if isinstance(checked, Response):
        return checked
    staff, meeting, form = checked
    item_id: int = request.path_params["item_id"]
    status = form.get("status", "")
    svc = services(request)
    try:
        async with writing(svc.sessionmaker, svc.broker) as w:
            if status == "current":
                await set_current_item(w, meeting.id, item_id, actor_of(staff))
            else:
                await set_item_outcome(
                    w, meeting.id, item_id, status, actor_of(staff), form.get("note")
                )
    except ActionError as exc:
        return refusal(request, exc)
    return _done(request, meeting.id, w.appended[-1].seq)


async def staff_snapshot(request: Request) -> Response:
    """The console's snapshot: the public one plus the staff activity log."""
    checked = await staff_meeting(request, Need.REVIEW)
    if isinstance(checked, Response):
        return checked
    _staff, meeting = checked
    async with services(request).sessionmaker() as session:
        snap = await snapshot(session, meeting.id)
        assert snap is not None
        snap["staff_activity"] = await staff_activity(session, meeting.id, snap["last_seq"])
    return JSONResponse(snap)
