"""Signing staff in and out."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub import auth
from hub.actions.accounts import record_sign_in
from hub.events.publish import writing
from hub.i18n import gettext_ as _
from hub.web import services
from hub.web.guards import CSRF_FORM, staff_form
from hub.web.inputs import read_query, takes
from hub.web.render import page

NEXT_MAX_CHARS = 2000  # a path of ours to return to
PASSWORD_MAX_CHARS = 1000  # argon2 hashes any length: this only bounds the work


def safe_next(value: str | None) -> str:
    # Only local paths: never an open redirect to another site.
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/staff/"


def _page(request: Request, next_: str, error: str | None, status: int = 200) -> Response:
    context = {"csrf": auth.csrf_token(request), "next": next_, "error": error}
    return page(request, "staff/login.html", context, status)


@takes(query={"next": NEXT_MAX_CHARS})
async def login_page(request: Request) -> Response:
    query = read_query(request)
    if isinstance(query, Response):
        return query
    return _page(request, safe_next(query.get("next")), None)


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
    address = request.client.host if request.client else "unknown"
    if not svc.login_by_address.allow(address) or not svc.login_by_account.allow(
        email.strip().lower()
    ):
        return _page(
            request, "/staff/", _("Too many attempts. Wait a few minutes and try again."), 429
        )
    async with svc.sessionmaker() as session:
        verified = await auth.authenticate(session, email, form.get("password", ""))
    if verified is None:
        return _page(request, "/staff/", _("That email and password do not match an account."), 401)
    async with writing(svc.sessionmaker, svc.broker) as w:
        await record_sign_in(w, verified.user_id, verified.new_hash)
    auth.login(request, verified)
    return RedirectResponse(safe_next(form.get("next")), status_code=303)


@takes(form=CSRF_FORM)
async def logout(request: Request) -> Response:
    form = await staff_form(request)
    if isinstance(form, Response):
        return form
    auth.logout(request)
    return RedirectResponse("/staff/login", status_code=303)
