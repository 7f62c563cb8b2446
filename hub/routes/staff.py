"""Staff pages: sign-in, the dashboard and the clerk's console with its actions.

Every route here checks the signed-in staff member and their role for the meeting's council;
every POST checks the CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``).
Actions answer JSON to scripts (``Accept: application/json``) and redirect plain forms back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from hub import auth, labels
from hub.actions import ActionError
from hub.actions.meetings import Actor, change_meeting_status, set_current_item, set_item_outcome
from hub.auth import StaffIdentity
from hub.events.publish import writing
from hub.i18n import gettext_ as _
from hub.models import Council, Meeting, Role
from hub.routes import json_error, services
from hub.routes.public import svc_templates
from hub.snapshot import load_meeting, snapshot, staff_activity

FORM_LIMITS: dict[str, Any] = {"max_files": 0, "max_fields": 10, "max_part_size": 16 * 1024}


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def error_response(request: Request, status: int, code: str, message: str) -> Response:
    if wants_json(request):
        return json_error(status, code, message)
    return svc_templates(request).TemplateResponse(
        request, "error.html", {"status": status, "message": message}, status_code=status
    )


async def _form(request: Request) -> dict[str, str] | Response:
    try:
        form = await request.form(**FORM_LIMITS)
    except Exception:
        return error_response(request, 400, "bad_form", _("The form could not be read."))
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    token = values.get(auth.CSRF_FIELD) or request.headers.get(auth.CSRF_HEADER)
    if not auth.csrf_valid(request, token):
        return error_response(
            request, 403, "csrf", _("This form has expired. Reload the page and try again.")
        )
    return values


async def _staff(request: Request, session: AsyncSession) -> StaffIdentity | Response:
    staff = await auth.current_staff(request, session)
    if staff is None:
        if wants_json(request) or request.method != "GET":
            return error_response(request, 401, "sign_in", _("Sign in first."))
        return RedirectResponse(f"/staff/login?next={request.url.path}", status_code=303)
    return staff


# ---- sign-in ----------------------------------------------------------------------------------


def _safe_next(value: str | None) -> str:
    # Only local paths: never an open redirect to another site.
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/staff/"


async def login_page(request: Request) -> Response:
    return svc_templates(request).TemplateResponse(
        request,
        "staff/login.html",
        {
            "csrf": auth.csrf_token(request),
            "next": _safe_next(request.query_params.get("next")),
            "error": None,
        },
    )


async def login_submit(request: Request) -> Response:
    svc = services(request)
    form = await _form(request)
    if isinstance(form, Response):
        return form
    email = form.get("email", "")
    address = request.client.host if request.client else "unknown"
    if not svc.login_by_address.allow(address) or not svc.login_by_account.allow(
        email.strip().lower()
    ):
        return _login_failed(
            request, 429, _("Too many attempts. Wait a few minutes and try again.")
        )
    async with svc.sessionmaker() as session:
        user = await auth.authenticate(session, email, form.get("password", ""))
        if user is None:
            return _login_failed(
                request, 401, _("That email and password do not match an account.")
            )
        await session.commit()
        auth.login(request, user)
    return RedirectResponse(_safe_next(form.get("next")), status_code=303)


def _login_failed(request: Request, status: int, message: str) -> Response:
    return svc_templates(request).TemplateResponse(
        request,
        "staff/login.html",
        {"csrf": auth.csrf_token(request), "next": "/staff/", "error": message},
        status_code=status,
    )


async def logout(request: Request) -> Response:
    form = await _form(request)
    if isinstance(form, Response):
        return form
    auth.logout(request)
    return RedirectResponse("/staff/login", status_code=303)


# ---- dashboard and console ----------------------------------------------------------------------


async def dashboard(request: Request) -> Response:
    async with services(request).sessionmaker() as session:
        staff = await _staff(request, session)
        if isinstance(staff, Response):
            return staff
        query = select(Meeting).join(Council).order_by(Meeting.starts_at.desc()).limit(100)
        if staff.role is not Role.ADMIN:
            query = query.where(Meeting.council_id == staff.council_id)
        meetings = list((await session.execute(query)).scalars())
    return svc_templates(request).TemplateResponse(
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
    meeting_id: int = request.path_params["meeting_id"]
    async with services(request).sessionmaker() as session:
        staff = await _staff(request, session)
        if isinstance(staff, Response):
            return staff
        meeting = await load_meeting(session, meeting_id)
        if meeting is None:
            return error_response(request, 404, "not_found", _("There is no such meeting."))
        if not staff.can_drive(meeting.council_id):
            return error_response(
                request, 403, "forbidden", _("Your role does not let you drive this meeting.")
            )
    async with services(request).sessionmaker() as session:
        snap = await snapshot(session, meeting_id)
        assert snap is not None
        activity = await staff_activity(session, meeting_id, snap["last_seq"])
    return svc_templates(request).TemplateResponse(
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


# ---- actions ----------------------------------------------------------------------------------


async def _authorised_action(request: Request) -> tuple[StaffIdentity, dict[str, str]] | Response:
    meeting_id: int = request.path_params["meeting_id"]
    form = await _form(request)
    if isinstance(form, Response):
        return form
    async with services(request).sessionmaker() as session:
        staff = await _staff(request, session)
        if isinstance(staff, Response):
            return staff
        council_id = (
            await session.execute(select(Meeting.council_id).where(Meeting.id == meeting_id))
        ).scalar_one_or_none()
    if council_id is None:
        return error_response(request, 404, "not_found", _("There is no such meeting."))
    if not staff.can_drive(council_id):
        return error_response(
            request, 403, "forbidden", _("Your role does not let you drive this meeting.")
        )
    return staff, form


def _done(request: Request, meeting_id: int, seq: int) -> Response:
    if wants_json(request):
        return JSONResponse({"ok": True, "last_seq": seq})
    return RedirectResponse(f"/staff/meetings/{meeting_id}", status_code=303)


async def meeting_action(request: Request) -> Response:
    checked = await _authorised_action(request)
    if isinstance(checked, Response):
        return checked
    staff, form = checked
    meeting_id: int = request.path_params["meeting_id"]
    svc = services(request)
    try:
        async with writing(svc.sessionmaker, svc.broker) as w:
            await change_meeting_status(
                w, meeting_id, form.get("action", ""), Actor(staff.user_id, staff.display_name)
            )
    except ActionError as exc:
        return error_response(request, exc.status, exc.code, exc.message)
    return _done(request, meeting_id, w.appended[-1].seq)


async def item_action(request: Request) -> Response:
    checked = await _authorised_action(request)
    if isinstance(checked, Response):
        return checked
    staff, form = checked
    meeting_id: int = request.path_params["meeting_id"]
    item_id: int = request.path_params["item_id"]
    actor = Actor(staff.user_id, staff.display_name)
    status = form.get("status", "")
    svc = services(request)
    try:
        async with writing(svc.sessionmaker, svc.broker) as w:
            if status == "current":
                await set_current_item(w, meeting_id, item_id, actor)
            else:
                await set_item_outcome(w, meeting_id, item_id, status, actor, form.get("note"))
    except ActionError as exc:
        return error_response(request, exc.status, exc.code, exc.message)
    return _done(request, meeting_id, w.appended[-1].seq)


async def staff_snapshot(request: Request) -> Response:
    """The console's snapshot: the public one plus the staff activity log."""
    meeting_id: int = request.path_params["meeting_id"]
    async with services(request).sessionmaker() as session:
        staff = await _staff(request, session)
        if isinstance(staff, Response):
            return staff
        meeting = await load_meeting(session, meeting_id)
        if meeting is None:
            return json_error(404, "not_found", "no such meeting")
        if not staff.can_review(meeting.council_id):
            return json_error(403, "forbidden", "your role does not give access to this meeting")
    async with services(request).sessionmaker() as session:
        snap = await snapshot(session, meeting_id)
        assert snap is not None
        snap["staff_activity"] = await staff_activity(session, meeting_id, snap["last_seq"])
    return JSONResponse(snap)


routes = [
    Route("/staff/login", login_page, methods=["GET"]),
    Route("/staff/login", login_submit, methods=["POST"]),
    Route("/staff/logout", logout, methods=["POST"]),
    Route("/staff/", dashboard, methods=["GET"]),
    Route("/staff/meetings/{meeting_id:id}", console, methods=["GET"]),
    Route("/staff/meetings/{meeting_id:id}/status", meeting_action, methods=["POST"]),
    Route(
        "/staff/meetings/{meeting_id:id}/items/{item_id:id}/status", item_action, methods=["POST"]
    ),
    Route("/staff/api/meetings/{meeting_id:id}", staff_snapshot, methods=["GET"]),
]
