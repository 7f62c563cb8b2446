"""Clerks' moderation: the queue page and its JSON state, single and bulk actions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from hub import auth
from hub.actions import ActionError
from hub.actions.moderation import bulk, moderate
from hub.events.publish import writing
from hub.i18n import gettext_ as _
from hub.models import Meeting
from hub.policy import policy_of
from hub.queries.meetings import load_items, load_meeting
from hub.queries.moderation import moderation_state
from hub.shapes.public import item_view, meeting_view
from hub.shapes.serialise import as_json
from hub.web import labels, services
from hub.web.errors import refusal, templates, wants_json
from hub.web.guards import Need, staff_action, staff_meeting
from hub.web.inputs import parse_id
from hub.web.staff.console import actor_of


def reasons_of(meeting: Meeting) -> dict[str, str]:
    """The council's rejection reasons, labelled in the page's language."""
    return {code: _(label) for code, label in policy_of(meeting.council).reasons.items()}


async def queue_page(request: Request) -> Response:
    checked = await staff_meeting(request, Need.DRIVE)
    if isinstance(checked, Response):
        return checked
    staff, meeting = checked
    async with services(request).sessionmaker() as session:
        fresh = await load_meeting(session, meeting.id)
        assert fresh is not None
        last_seq = fresh.last_seq  # read first: the state below is at least this fresh
        state = await moderation_state(session, meeting.id)
        items = await load_items(session, meeting.id)
    return templates(request).TemplateResponse(
        request,
        "staff/moderation.html",
        {
            "staff": staff,
            "meeting": as_json(meeting_view(meeting)),
            "items": [as_json(item_view(i)) for i in items],
            "state": state,
            "reasons": reasons_of(meeting),
            "policy": policy_of(meeting.council),
            "last_seq": last_seq,
            "spotlight_id": fresh.spotlight_id,
            "csrf": auth.csrf_token(request),
            "labels": labels.translated(),
        },
    )


async def queue_state(request: Request) -> Response:
    """JSON for the queue page after a reset: ``pending``, ``decided``, ``last_seq``."""
    checked = await staff_meeting(request, Need.DRIVE)
    if isinstance(checked, Response):
        return checked
    _staff, meeting = checked
    async with services(request).sessionmaker() as session:
        fresh = await load_meeting(session, meeting.id)
        assert fresh is not None
        state = await moderation_state(session, meeting.id)
    return JSONResponse({**state, "last_seq": fresh.last_seq, "reasons": reasons_of(meeting)})


def _result(request: Request, meeting_id: int, body: dict[str, object]) -> Response:
    if wants_json(request):
        return JSONResponse(body)
    return RedirectResponse(f"/staff/meetings/{meeting_id}/moderation", status_code=303)


async def act(request: Request) -> Response:
    checked = await staff_action(request)
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
                actor_of(staff),
                form.get("reason"),
            )
    except ActionError as exc:
        return refusal(request, exc)
    return _result(request, meeting.id, {"ok": True})


async def act_bulk(request: Request) -> Response:
    checked = await staff_action(request)
    if isinstance(checked, Response):
        return checked
    staff, meeting, form = checked
    ids = [i for x in form.get("ids", "").replace(",", " ").split() if (i := parse_id(x))]
    svc = services(request)
    try:
        async with writing(svc.sessionmaker, svc.broker) as w:
            outcomes = await bulk(
                w, meeting.id, ids, form.get("action", ""), actor_of(staff), form.get("reason")
            )
    except ActionError as exc:
        return refusal(request, exc)
    results = [{"id": o.contribution_id, "ok": o.ok, "message": o.message} for o in outcomes]
    return _result(request, meeting.id, {"results": results})
