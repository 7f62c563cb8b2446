"""Accepting an invitation to a council's staff (hub/actions/invites.py): the link's holder
chooses a name and a password, or, when the email has an account already, signs in with its
password; either way they are signed in and have the role. A link used, revoked or expired is
refused with a page that says which."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub import auth
from hub.actions import ActionError
from hub.actions.invites import accept_invite, refusal
from hub.actions.sessions import end_session, start_session
from hub.events.publish import writing
from hub.i18n import N_
from hub.i18n import gettext_ as _
from hub.models import Council, StaffInvite
from hub.queries.staff import invite_by_token
from hub.throttle import RETRY_AFTER_S
from hub.web import labels, services
from hub.web.errors import error_response, wants_json
from hub.web.errors import refusal as refused_response
from hub.web.guards import CSRF_FORM, staff_form
from hub.web.inputs import takes
from hub.web.render import page
from hub.web.staff.signin import PASSWORD_MAX_CHARS, TOO_MANY

TOKEN_MAX_CHARS = 100  # the token is 43 characters (32 random bytes, base64url)
ACCEPT_FORM = {
    **CSRF_FORM,
    "display_name": 120,
    "password": PASSWORD_MAX_CHARS,
    "password_again": PASSWORD_MAX_CHARS,
}
GONE = {
    "unknown": N_("This invitation link is not valid. Check that you copied all of it."),
    "revoked": N_("This invitation has been withdrawn. Ask the council's admin for a new one."),
    "used": N_("This invitation has been used already. Sign in instead."),
    "expired": N_("This invitation has expired. Ask the council's admin for a new one."),
}


async def _found(request: Request) -> tuple[StaffInvite, Council, bool] | Response:
    token: str = request.path_params["token"]
    found = None
    if len(token) <= TOKEN_MAX_CHARS:
        async with services(request).sessionmaker() as session:
            found = await invite_by_token(session, token)
    gone = refusal(found[0] if found else None)
    if gone is not None:
        status = 404 if gone.reason == "unknown" else gone.status
        return error_response(request, status, gone.code, _(GONE[gone.reason]))
    assert found is not None
    return found


def _form(
    request: Request,
    invite: StaffInvite,
    council: Council,
    has_account: bool,
    *,
    error: str | None = None,
    status: int = 200,
    name: str = "",
) -> Response:
    context: dict[str, Any] = {
        "csrf": auth.csrf_token(request),
        "action": request.url.path,
        "invite": invite,
        "council": council,
        "has_account": has_account,
        "role_name": labels.staff_roles()[invite.role],
        "error": error,
        "name": name,
        "min_chars": auth.MIN_PASSWORD_CHARS,
    }
    return page(request, "staff/invite.html", context, status)


async def invite_page(request: Request) -> Response:
    found = await _found(request)
    if isinstance(found, Response):
        return found
    return _form(request, *found)


@takes(form=ACCEPT_FORM)
async def accept(request: Request) -> Response:
    form = await staff_form(request)
    if isinstance(form, Response):
        return form
    found = await _found(request)
    if isinstance(found, Response):
        return found
    invite, council, has_account = found
    svc = services(request)
    password = form.get("password", "")
    name = form.get("display_name", "")
    existing_id = None
    if has_account:
        # The link's holder proves they own the account: its password, throttled like sign-in.
        address = request.client.host if request.client else "unknown"
        verdict = svc.sign_ins.attempt(address, invite.email)
        if not verdict.allowed:
            response = _form(request, *found, error=_(TOO_MANY), status=429)
            response.headers["retry-after"] = str(RETRY_AFTER_S)
            return response
        if verdict.delay_s:
            await asyncio.sleep(verdict.delay_s)
        async with svc.sessionmaker() as session:
            verified = await auth.authenticate(session, invite.email, password)
        if verified is None:
            svc.sign_ins.failed(invite.email)
            return _form(
                request, *found, error=_("That password does not match the account."), status=401
            )
        svc.sign_ins.succeeded(address, invite.email)
        existing_id = verified.user_id
    elif password != form.get("password_again", ""):
        return _form(
            request, *found, error=_("The two passwords are not the same."), status=422, name=name
        )
    try:
        previous = auth.session_id(request)
        async with writing(svc.sessionmaker, svc.broker) as w:
            user = await accept_invite(
                w,
                token=request.path_params["token"],
                display_name=name,
                password=None if has_account else password,
                existing_user_id=existing_id,
            )
            if previous is not None:  # someone else signed in in this browser: that ends
                await end_session(w, previous)
            new_id = await start_session(w, user.id, request.headers.get("user-agent"))
    except ActionError as exc:
        if wants_json(request):
            return refused_response(request, exc)
        return _form(
            request, invite, council, has_account, error=exc.message, status=exc.status, name=name
        )
    auth.login(request, new_id)
    return RedirectResponse("/staff/", status_code=303)
