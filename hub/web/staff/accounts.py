"""Every staff account, for deployment admins: their roles in each council, and deactivating
(every session ends at once) or reactivating an account."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from hub.actions import ActionError
from hub.actions.accounts import deactivate, reactivate
from hub.auth import StaffIdentity
from hub.events.publish import writing
from hub.queries.staff import accounts
from hub.web import labels, services
from hub.web.errors import refusal, wants_json
from hub.web.guards import CSRF_FORM, actor, deployment_admin, staff_form
from hub.web.inputs import takes
from hub.web.render import staff_page


async def _page(
    request: Request, staff: StaffIdentity, error: str | None = None, status: int = 200
) -> Response:
    async with services(request).sessionmaker() as session:
        found = await accounts(session)
    context = {"accounts": found, "role_names": labels.staff_roles(), "error": error}
    return staff_page(request, "staff/users.html", staff, context, status)


async def users_page(request: Request) -> Response:
    staff = await deployment_admin(request)
    if isinstance(staff, Response):
        return staff
    return await _page(request, staff)


async def _switch(request: Request, on: bool) -> Response:
    form = await staff_form(request)
    if isinstance(form, Response):
        return form
    staff = await deployment_admin(request)
    if isinstance(staff, Response):
        return staff
    svc = services(request)
    user_id: int = request.path_params["user_id"]
    try:
        async with writing(svc.sessionmaker, svc.broker) as w:
            if on:
                await reactivate(w, user_id, actor=actor(staff))
            else:
                await deactivate(w, user_id, actor=actor(staff))
    except ActionError as exc:
        if wants_json(request):
            return refusal(request, exc)
        return await _page(request, staff, exc.message, exc.status)
    if wants_json(request):
        return JSONResponse({"ok": True})
    return RedirectResponse("/staff/users", status_code=303)


@takes(form=CSRF_FORM)
async def deactivate_user(request: Request) -> Response:
    return await _switch(request, on=False)


@takes(form=CSRF_FORM)
async def reactivate_user(request: Request) -> Response:
    return await _switch(request, on=True)
