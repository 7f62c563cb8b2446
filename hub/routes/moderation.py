"""Clerks' moderation: the queue page and its JSON state, single and bulk actions, blocking,
and the audit log (readable by councillors too)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from hub import auth, labels
from hub.actions import ActionError
from hub.actions.meetings import Actor
from hub.actions.moderation import bulk, moderate
from hub.auth import StaffIdentity
from hub.events.publish import writing
from hub.i18n import gettext_ as _
from hub.models import Meeting
from hub.policy import policy_of
from hub.review import feedback_by_item
from hub.routes import services
from hub.routes.public import svc_templates
from hub.routes.staff import _form, _staff, error_response, wants_json
from hub.snapshot import (
    area_totals,
    load_items,
    load_meeting,
    moderation_log,
    moderation_state,
    snapshot,
)
from hub.views import as_json, item_view, meeting_view


async def _meeting_for(request: Request, need: str) -> tuple[StaffIdentity, Meeting] | Response:
    """The signed-in staff member and the meeting, if their role allows ``need``
    ("drive": clerks and admins; "review": anyone on the council's staff)."""
    async with services(request).sessionmaker() as session:
        staff = await _staff(request, session)
        if isinstance(staff, Response):
            return staff
        meeting = await load_meeting(session, request.path_params["meeting_id"])
    if meeting is None:
        return error_response(request, 404, "not_found", _("There is no such meeting."))
    allowed = (
        staff.can_drive(meeting.council_id)
        if need == "drive"
        else staff.can_review(meeting.council_id)
    )
    if not allowed:
        return error_response(
            request, 403, "forbidden", _("Your role does not give access to this page.")
        )
    return staff, meeting


async def _reasons(meeting: Meeting) -> dict[str, str]:
    return {code: _(label) for code, label in policy_of(meeting.council).reasons.items()}


async def queue_page(request: Request) -> Response:
    checked = await _meeting_for(request, "drive")
    if isinstance(checked, Response):
        return checked
    staff, meeting = checked
    async with services(request).sessionmaker() as session:
        fresh = await load_meeting(session, meeting.id)
        assert fresh is not None
        last_seq = fresh.last_seq  # read first: the state below is at least this fresh
        state = await moderation_state(session, meeting.id)
        items = await load_items(session, meeting.id)
    return svc_templates(request).TemplateResponse(
        request,
        "staff/moderation.html",
        {
            "staff": staff,
            "meeting": as_json(meeting_view(meeting)),
            "items": [as_json(item_view(i)) for i in items],
            "state": state,
            "reasons": await _reasons(meeting),
            "policy": policy_of(meeting.council),
            "last_seq": last_seq,
            "spotlight_id": fresh.spotlight_id,
            "csrf": auth.csrf_token(request),
            "labels": labels.translated(),
        },
    )


async def queue_state(request: Request) -> Response:
    """JSON for the queue page after a reset: ``pending``, ``decided``, ``last_seq``."""
    checked = await _meeting_for(request, "drive")
    if isinstance(checked, Response):
        return checked
    _staff_member, meeting = checked
    async with services(request).sessionmaker() as session:
        fresh = await load_meeting(session, meeting.id)
        assert fresh is not None
        state = await moderation_state(session, meeting.id)
    return JSONResponse({**state, "last_seq": fresh.last_seq, "reasons": await _reasons(meeting)})


def _result(request: Request, meeting_id: int, body: dict[str, object]) -> Response:
    if wants_json(request):
        return JSONResponse(body)
    return RedirectResponse(f"/staff/meetings/{meeting_id}/moderation", status_code=303)


async def _moderation_form(
    request: Request,
) -> tuple[StaffIdentity, Meeting, dict[str, str]] | Response:
    """The moderating clerk, the meeting and the submitted form (CSRF checked), or the refusal."""
    checked = await _meeting_for(request, "drive")
    if isinstance(checked, Response):
        return checked
    form = await _form(request)
    if isinstance(form, Response):
        return form
    return checked[0], checked[1], form


async def act(request: Request) -> Response:
    checked = await _moderation_form(request)
    if isinstance(checked, Response):
        return checked
    staff, meeting, form = checked
    svc = services(request)
    try:
        async with writing(svc.sessionmaker, svc.broker) as w:
            await moderate(
                w,
                meeting.id,
                request.path_params["contribution_id"],
                form.get("action", ""),
                Actor(staff.user_id, staff.display_name),
                form.get("reason"),
            )
    except ActionError as exc:
        return error_response(request, exc.status, exc.code, exc.message)
    return _result(request, meeting.id, {"ok": True})


async def act_bulk(request: Request) -> Response:
    checked = await _moderation_form(request)
    if isinstance(checked, Response):
        return checked
    staff, meeting, form = checked
    ids = [int(x) for x in form.get("ids", "").replace(",", " ").split() if x.isdigit()]
    svc = services(request)
    try:
        async with writing(svc.sessionmaker, svc.broker) as w:
            outcomes = await bulk(
                w,
                meeting.id,
                ids,
                form.get("action", ""),
                Actor(staff.user_id, staff.display_name),
                form.get("reason"),
            )
    except ActionError as exc:
        return error_response(request, exc.status, exc.code, exc.message)
    results = [{"id": o.contribution_id, "ok": o.ok, "message": o.message} for o in outcomes]
    return _result(request, meeting.id, {"results": results})


async def audit(request: Request) -> Response:
    checked = await _meeting_for(request, "review")
    if isinstance(checked, Response):
        return checked
    staff, meeting = checked
    async with services(request).sessionmaker() as session:
        entries = await moderation_log(session, meeting.id)
    if wants_json(request):
        return JSONResponse({"entries": entries})
    return svc_templates(request).TemplateResponse(
        request,
        "staff/audit.html",
        {
            "staff": staff,
            "meeting": as_json(meeting_view(meeting)),
            "entries": entries,
            "reasons": await _reasons(meeting),
            "csrf": auth.csrf_token(request),
        },
    )


async def review(request: Request) -> Response:
    """Councillors (and clerks) review the published feedback, per agenda item."""
    checked = await _meeting_for(request, "review")
    if isinstance(checked, Response):
        return checked
    staff, meeting = checked
    async with services(request).sessionmaker() as session:
        snap = await snapshot(session, meeting.id)
        assert snap is not None
        areas = await area_totals(session, meeting.id)
    return svc_templates(request).TemplateResponse(
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


routes = [
    Route("/staff/meetings/{meeting_id:id}/review", review, methods=["GET"]),
    Route("/staff/meetings/{meeting_id:id}/moderation", queue_page, methods=["GET"]),
    Route("/staff/api/meetings/{meeting_id:id}/moderation", queue_state, methods=["GET"]),
    Route(
        "/staff/meetings/{meeting_id:id}/contributions/{contribution_id:id}/moderate",
        act,
        methods=["POST"],
    ),
    Route("/staff/meetings/{meeting_id:id}/contributions/bulk", act_bulk, methods=["POST"]),
    Route("/staff/meetings/{meeting_id:id}/audit", audit, methods=["GET"]),
]
