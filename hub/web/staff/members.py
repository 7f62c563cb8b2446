"""A council's staff, for its admins (and deployment admins): who has which role, the
invitations whose links still work, and the forms to invite, change a role, remove someone
from the council and deactivate an account. Plain forms: no script needed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from hub import auth
from hub.actions import ActionError, NotFound
from hub.actions.accounts import deactivate
from hub.actions.invites import INVITE_LIFETIME, create_invite, revoke_invite
from hub.actions.memberships import remove_member, set_role
from hub.auth import StaffIdentity
from hub.events.publish import Writer, writing
from hub.i18n import gettext_ as _
from hub.models import Council, Role
from hub.queries.staff import members, pending_invites
from hub.web import labels, services
from hub.web.errors import refusal, wants_json
from hub.web.guards import CSRF_FORM, Need, actor, staff_council, staff_council_action
from hub.web.inputs import CODE_MAX_CHARS, takes
from hub.web.render import staff_page

INVITE_FORM = {**CSRF_FORM, "email": auth.EMAIL_MAX_CHARS, "role": CODE_MAX_CHARS}
ROLE_FORM = {**CSRF_FORM, "role": CODE_MAX_CHARS}


def _invite_url(request: Request, token: str) -> str:
    return str(request.url_for("invite", token=token))


async def _page(
    request: Request,
    staff: StaffIdentity,
    council: Council,
    *,
    error: str | None = None,
    status: int = 200,
    new_link: str | None = None,
    invited: dict[str, str] | None = None,
) -> Response:
    async with services(request).sessionmaker() as session:
        people = await members(session, council.id)
        invites = await pending_invites(session, council.id)
    context: dict[str, Any] = {
        "council": council,
        "members": people,
        "invites": invites,
        "roles": [r.value for r in Role],
        "role_names": labels.staff_roles(),
        "error": error,
        "new_link": new_link,
        "invited": invited or {},
        "lifetime_days": INVITE_LIFETIME.days,
    }
    return staff_page(request, "staff/members.html", staff, context, status)


def _done(request: Request, council: Council) -> Response:
    if wants_json(request):
        return JSONResponse({"ok": True})
    return RedirectResponse(f"/staff/councils/{council.slug}/staff", status_code=303)


async def _refused(
    request: Request, staff: StaffIdentity, council: Council, exc: ActionError, **kw: Any
) -> Response:
    if wants_json(request):
        return refusal(request, exc)
    return await _page(request, staff, council, error=exc.message, status=exc.status, **kw)


async def staff_list(request: Request) -> Response:
    checked = await staff_council(request, Need.MANAGE)
    if isinstance(checked, Response):
        return checked
    return await _page(request, *checked)


@takes(form=INVITE_FORM)
async def invite(request: Request) -> Response:
    """A new invitation: its link is shown on the page this once (only its hash is kept)."""
    checked = await staff_council_action(request, Need.MANAGE)
    if isinstance(checked, Response):
        return checked
    staff, council, form = checked
    svc = services(request)
    values = {"email": form.get("email", ""), "role": form.get("role", "")}
    try:
        async with writing(svc.sessionmaker, svc.broker) as w:
            made = await create_invite(
                w,
                council_id=council.id,
                email=values["email"],
                role=values["role"],
                actor=actor(staff),
            )
            token, email, role = made.token, made.invite.email, made.invite.role
    except ActionError as exc:
        return await _refused(request, staff, council, exc, invited=values)
    link = _invite_url(request, token)
    if wants_json(request):
        return JSONResponse({"ok": True, "link": link, "email": email, "role": role}, 201)
    return await _page(request, staff, council, new_link=link, status=201)


# One change to a member or an invitation: the council's admin, the action in one transaction,
# a refusal shown on the staff page, back to it when done.
Change = Callable[[Writer, StaffIdentity, Council, dict[str, str]], Awaitable[object]]


async def _change(request: Request, act: Change) -> Response:
    checked = await staff_council_action(request, Need.MANAGE)
    if isinstance(checked, Response):
        return checked
    staff, council, form = checked
    svc = services(request)
    try:
        async with writing(svc.sessionmaker, svc.broker) as w:
            await act(w, staff, council, form)
    except ActionError as exc:
        return await _refused(request, staff, council, exc)
    return _done(request, council)


def _not_member() -> ActionError:
    return NotFound(_("This person is not on the council's staff."))


async def _a_member(w: Writer, council: Council, user_id: int) -> None:
    """Only someone already on the council's staff: adding a person is an invitation."""
    if not any(m.user_id == user_id for m in await members(w.session, council.id)):
        raise _not_member()


@takes(form=CSRF_FORM)
async def revoke(request: Request) -> Response:
    async def act(w: Writer, staff: StaffIdentity, council: Council, form: dict[str, str]) -> None:
        invite_id: int = request.path_params["invite_id"]
        await revoke_invite(w, council_id=council.id, invite_id=invite_id, actor=actor(staff))

    return await _change(request, act)


@takes(form=ROLE_FORM)
async def change_role(request: Request) -> Response:
    async def act(w: Writer, staff: StaffIdentity, council: Council, form: dict[str, str]) -> None:
        user_id: int = request.path_params["user_id"]
        await _a_member(w, council, user_id)
        await set_role(
            w, council_id=council.id, user_id=user_id, role=form.get("role", ""), actor=actor(staff)
        )

    return await _change(request, act)


@takes(form=CSRF_FORM)
async def remove(request: Request) -> Response:
    async def act(w: Writer, staff: StaffIdentity, council: Council, form: dict[str, str]) -> None:
        user_id: int = request.path_params["user_id"]
        await remove_member(w, council_id=council.id, user_id=user_id, actor=actor(staff))

    return await _change(request, act)


@takes(form=CSRF_FORM)
async def deactivate_member(request: Request) -> Response:
    """Deactivate a member's account (every session of it ends). A council's admin may do so
    only for an account that serves this council alone; a deployment admin, for any."""

    async def act(w: Writer, staff: StaffIdentity, council: Council, form: dict[str, str]) -> None:
        user_id: int = request.path_params["user_id"]
        await _a_member(w, council, user_id)
        within = None if staff.is_deployment_admin else council.id
        await deactivate(w, user_id, actor=actor(staff), within=within)

    return await _change(request, act)
