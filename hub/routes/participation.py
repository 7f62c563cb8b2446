"""Residents' participation: submit, vote, see their own submissions, the projector page.

The JSON endpoints take ``Content-Type: application/json`` only: a cross-site page cannot send
that without a CORS preflight, which the hub never grants, so they need no CSRF token. The
plain-form fallback (no JavaScript) carries a token bound to the participant cookie. Both
refuse a foreign ``Origin``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from hub import labels, participants
from hub.actions import ActionError
from hub.actions.participation import Entry, Submission
from hub.actions.votes import Ballot
from hub.i18n import gettext_ as _
from hub.intake import SUBMISSION_PERIOD_S
from hub.routes import json_error, services
from hub.routes.public import not_found_page, page_language, svc_templates
from hub.snapshot import load_meeting, mine, moderation_summary, snapshot
from hub.views import as_json, contribution_view, own_view

BODY_MAX_BYTES = 16 * 1024


def _foreign_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    return origin is not None and urlsplit(origin).netloc != request.headers.get("host")


def _participant(request: Request) -> tuple[str, bool]:
    """The caller's participant id, and whether it is new (so the response sets the cookie)."""
    svc = services(request)
    existing = participants.participant_of(request, svc.settings.secret_key)
    if existing is not None:
        return existing, False
    return participants.new_participant(), True


def _with_cookie(request: Request, response: Response, participant: str, new: bool) -> Response:
    if new:
        svc = services(request)
        participants.set_cookie(
            response, participant, svc.settings.secret_key, svc.settings.https_only
        )
    return response


async def _read_json(request: Request) -> dict[str, Any] | Response:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return json_error(415, "json_only", "send application/json")
    if _foreign_origin(request):
        return json_error(403, "origin", "cross-origin requests are refused")
    body = await request.body()
    if len(body) > BODY_MAX_BYTES:
        return json_error(413, "too_large", _("That is too long to send."))
    try:
        data = json.loads(body)
    except ValueError:
        return json_error(400, "bad_json", "the body is not valid JSON")
    if not isinstance(data, dict):
        return json_error(400, "bad_json", "send a JSON object")
    return data


def _submission(data: dict[str, Any]) -> Submission | None:
    def text(key: str) -> str | None:
        value = data.get(key)
        return value if isinstance(value, str) else None

    item = data.get("item_id")
    if item is not None and (not isinstance(item, int) or isinstance(item, bool)):
        return None
    return Submission(
        kind=text("kind") or "",
        body=text("body") or "",
        position=text("position"),
        item_id=item,
        # An explicit null means "the meeting in general"; no item_id at all, the current item.
        general="item_id" in data and item is None,
        display_name=text("display_name"),
        area=text("area"),
        client_token=text("client_token") or "",
    )


async def _submit(
    request: Request, participant: str, sub: Submission
) -> dict[str, Any] | ActionError:
    """Queue the submission for the next group commit; the answer comes after its commit."""
    svc = services(request)
    address = request.client.host if request.client else "unknown"
    entry = Entry(participant, sub, address)
    try:
        contribution, _new = await svc.intake.submit(request.path_params["meeting_id"], entry)
    except ActionError as exc:
        return exc
    return as_json(own_view(contribution, None))


async def create_contribution(request: Request) -> Response:
    """POST /api/meetings/{id}/contributions: 201 once it is committed."""
    data = await _read_json(request)
    if isinstance(data, Response):
        return data
    sub = _submission(data)
    if sub is None:
        return json_error(422, "invalid", "item_id must be an integer")
    participant, new = _participant(request)
    result = await _submit(request, participant, sub)
    if isinstance(result, ActionError):
        return _with_cookie(request, _refusal(result), participant, new)
    return _with_cookie(request, JSONResponse(result, status_code=201), participant, new)


def _refusal(exc: ActionError) -> Response:
    """An action's refusal as JSON; the ones worth retrying later say when."""
    response = json_error(exc.status, exc.code, exc.message)
    if exc.status == 429:
        response.headers["retry-after"] = str(int(SUBMISSION_PERIOD_S / 10))
    elif exc.status == 503:
        response.headers["retry-after"] = "5"
    return response


async def contribute_form(request: Request) -> Response:
    """The no-JavaScript form: same action, then back to the page with a message."""
    meeting_id: int = request.path_params["meeting_id"]
    svc = services(request)
    if _foreign_origin(request):
        return json_error(403, "origin", "cross-origin requests are refused")
    try:
        form = await request.form(max_files=0, max_fields=10, max_part_size=BODY_MAX_BYTES)
    except Exception:
        return json_error(400, "bad_form", _("The form could not be read."))
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    participant = participants.participant_of(request, svc.settings.secret_key)
    if participant is None or not participants.form_token_valid(
        participant, svc.settings.secret_key, values.get("form_token")
    ):
        return svc_templates(request).TemplateResponse(
            request,
            "error.html",
            {"status": 403, "message": _("This form has expired. Reload the page and try again.")},
            status_code=403,
        )
    item = values.get("item_id")
    sub = Submission(
        kind=values.get("kind", ""),
        body=values.get("body", ""),
        position=values.get("position") or None,
        item_id=int(item) if item and item.isdigit() else None,
        general=item == "",
        display_name=values.get("display_name"),
        area=values.get("area"),
        client_token=values.get("client_token", ""),
    )
    result = await _submit(request, participant, sub)
    if isinstance(result, ActionError):
        return svc_templates(request).TemplateResponse(
            request,
            "error.html",
            {"status": result.status, "message": result.message},
            status_code=result.status,
        )
    return RedirectResponse(f"/meetings/{meeting_id}?sent={result['id']}#mine", status_code=303)


async def my_contributions(request: Request) -> Response:
    svc = services(request)
    participant = participants.participant_of(request, svc.settings.secret_key)
    async with svc.sessionmaker() as session:
        meeting = await load_meeting(session, request.path_params["meeting_id"])
        if meeting is None:
            return json_error(404, "not_found", "no such meeting")
        if participant is None:
            return JSONResponse({"contributions": [], "votes": []})
        return JSONResponse(await mine(session, meeting, participant))


async def _vote(request: Request, up: bool) -> Response:
    if _foreign_origin(request):
        return json_error(403, "origin", "cross-origin requests are refused")
    # POST must be JSON (no cross-site form can send it); DELETE is never a simple request,
    # so a browser always preflights it cross-site.
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if up and content_type != "application/json":
        return json_error(415, "json_only", "send application/json")
    svc = services(request)
    participant, new = _participant(request)
    ballot = Ballot(participant, request.path_params["contribution_id"], up)
    try:
        # Queued for the next group commit: a crowd's votes share transactions and events.
        question = await svc.intake.vote(request.path_params["meeting_id"], ballot)
    except ActionError as exc:
        return _with_cookie(request, _refusal(exc), participant, new)
    body = {"contribution": as_json(contribution_view(question)), "voted": up}
    return _with_cookie(request, JSONResponse(body), participant, new)


async def vote_up(request: Request) -> Response:
    return await _vote(request, True)


async def vote_withdraw(request: Request) -> Response:
    return await _vote(request, False)


async def summary(request: Request) -> Response:
    async with services(request).sessionmaker() as session:
        meeting = await load_meeting(session, request.path_params["meeting_id"])
        if meeting is None:
            return json_error(404, "not_found", "no such meeting")
        return JSONResponse(await moderation_summary(session, meeting.id))


async def projector(request: Request) -> Response:
    """The chamber screen: current item, spotlighted question, latest published comments."""
    async with services(request).sessionmaker() as session:
        snap = await snapshot(session, request.path_params["meeting_id"])
    if snap is None:
        return not_found_page(request)
    page_language(request, snap["meeting"]["language"])
    return svc_templates(request).TemplateResponse(
        request,
        "projector.html",
        {
            "snap": snap,
            "meeting": snap["meeting"],
            "items": snap["items"],
            "labels": labels.translated(),
        },
    )


routes = [
    Route("/api/meetings/{meeting_id:id}/contributions", create_contribution, methods=["POST"]),
    Route("/api/meetings/{meeting_id:id}/contributions/mine", my_contributions, methods=["GET"]),
    Route(
        "/api/meetings/{meeting_id:id}/contributions/{contribution_id:id}/vote",
        vote_up,
        methods=["POST"],
    ),
    Route(
        "/api/meetings/{meeting_id:id}/contributions/{contribution_id:id}/vote",
        vote_withdraw,
        methods=["DELETE"],
    ),
    Route("/api/meetings/{meeting_id:id}/moderation-summary", summary, methods=["GET"]),
    Route("/meetings/{meeting_id:id}/contribute", contribute_form, methods=["POST"]),
    Route("/meetings/{meeting_id:id}/projector", projector, methods=["GET"]),
]
