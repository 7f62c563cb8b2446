"""Signing staff in and out (of this browser, or of every device at once)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub import auth
from hub.actions.accounts import record_sign_in
from hub.actions.sessions import end_all_sessions, end_session, start_session
from hub.events.publish import writing
from hub.i18n import N_
from hub.i18n import gettext_ as _
from hub.throttle import RETRY_AFTER_S
from hub.web import services
from hub.web.guards import CSRF_FORM, signed_in, staff_form
from hub.web.inputs import read_query, takes
from hub.web.render import page

NEXT_MAX_CHARS = 2000  # a path of ours to return to
PASSWORD_MAX_CHARS = 1000  # argon2 hashes any length: this only bounds the work
SIGNED_OUT_EVERYWHERE = "/staff/login?signed_out=everywhere"
TOO_MANY = N_(
    "Too many attempts from this network. Wait a few minutes and try again. "
    "Wrong passwords typed elsewhere do not lock you out of your account."
)


def safe_next(value: str | None) -> str:
    # Only local paths: never an open redirect to another site.
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/staff/"


def _page(
    request: Request,
    next_: str,
    error: str | None,
    status: int = 200,
    notice: str | None = None,
) -> Response:
    context = {"csrf": auth.csrf_token(request), "next": next_, "error": error, "notice": notice}
    return page(request, "staff/login.html", context, status)


@takes(query={"next": NEXT_MAX_CHARS, "signed_out": 20})
async def login_page(request: Request) -> Response:
    query = read_query(request)
    if isinstance(query, Response):
        return query
    notice = None
    if query.get("signed_out") == "everywhere":
        notice = _("You have been signed out on every device.")
    return _page(request, safe_next(query.get("next")), None, notice=notice)


@takes(
    form={
        **CSRF_FORM,
        "email": auth.EMAIL_MAX_CHARS,
        "password": PASSWORD_MAX_CHARS,
        "next": NEXT_MAX_CHARS,
    }
)
async def login_submit(request: Request) -> Response:
    svc = services(request)
    form = await staff_form(request)
    if isinstance(form, Response):
        return form
    email = form.get("email", "")
    account = email.strip().lower()
    address = request.client.host if request.client else "unknown"
    verdict = svc.sign_ins.attempt(address, account)
    if not verdict.allowed:
        response = _page(request, "/staff/", _(TOO_MANY), 429)
        response.headers["retry-after"] = str(RETRY_AFTER_S)
        return response
    if verdict.delay_s:  # the account is being guessed at from elsewhere: slow every attempt
        await asyncio.sleep(verdict.delay_s)
    async with svc.sessionmaker() as session:
        verified = await auth.authenticate(session, email, form.get("password", ""))
    if verified is None:
        svc.sign_ins.failed(account)
        return _page(request, "/staff/", _("That email and password do not match an account."), 401)
    svc.sign_ins.succeeded(address, account)
    previous = auth.session_id(request)
    async with writing(svc.sessionmaker, svc.broker) as w:
        await record_sign_in(w, verified.user_id, verified.new_hash)
        if previous is not None:  # signing in again in this browser: the old session ends
            await end_session(w, previous)
        new_id = await start_session(w, verified.user_id, request.headers.get("user-agent"))
    auth.login(request, new_id)
    return RedirectResponse(safe_next(form.get("next")), status_code=303)


@takes(form=CSRF_FORM)
async def logout(request: Request) -> Response:
    form = await staff_form(request)
    if isinstance(form, Response):
        return form
    sid = auth.session_id(request)
    if sid is not None:
        svc = services(request)
        async with writing(svc.sessionmaker, svc.broker) as w:
            await end_session(w, sid)
    auth.logout(request)
    return RedirectResponse("/staff/login", status_code=303)


@takes(form=CSRF_FORM)
async def logout_everywhere(request: Request) -> Response:
    """Every session of the signed-in account ends: a lost phone, a shared computer."""
    form = await staff_form(request)
    if isinstance(form, Response):
        return form
    staff = await signed_in(request)
    if isinstance(staff, Response):
        return staff
    svc = services(request)
    async with writing(svc.sessionmaker, svc.broker) as w:
        await end_all_sessions(w, staff.user_id)
    auth.logout(request)
    return RedirectResponse(SIGNED_OUT_EVERYWHERE, status_code=303)
