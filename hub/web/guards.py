"""Who may do what: the one origin policy and the one staff + meeting + role guard, for HTTP
routes and sockets alike.

Origin policy: an ``Origin`` header, when present, must be the page's own host or one of the
trusted origins in settings; a request from any other site's page is refused. Where nothing
else stops a cross-site request, the header must also be present: a staff socket carries the
session cookie and has no CSRF token, so a browser-less client without an Origin is refused
there too (browsers always send it on WebSocket handshakes).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse, Response

from hub import auth
from hub.actions._locks import Actor
from hub.actions.sessions import touch_session
from hub.auth import StaffIdentity
from hub.events.publish import writing
from hub.i18n import gettext_ as _
from hub.i18n import use_council_language
from hub.models import Council, Meeting
from hub.queries.councils import council_by_slug
from hub.queries.meetings import load_meeting
from hub.web import services
from hub.web.errors import error_response, wants_json
from hub.web.inputs import read_form

# What every staff form carries: its CSRF token (hub/auth.py: 43 characters).
CSRF_FORM = {auth.CSRF_FIELD: 64}


def origin_allowed(conn: HTTPConnection, *, required: bool = False) -> bool:
    origin = conn.headers.get("origin")
    if origin is None:
        return not required
    if origin in services(conn).settings.trusted_origins:
        return True
    try:
        netloc = urlsplit(origin).netloc
    except ValueError:  # not a URL at all (an unclosed IPv6 bracket): no page of ours sent it
        return False
    return netloc == conn.headers.get("host")


def foreign_origin(request: Request) -> Response | None:
    """The refusal of a request from another site's page, or None."""
    if origin_allowed(request):
        return None
    return error_response(request, 403, "origin", "cross-origin requests are refused")


async def identify(conn: HTTPConnection, session: AsyncSession) -> StaffIdentity | None:
    """The signed-in staff member, from their session row; the row's last-seen time is written
    when it is a few minutes old (auth.SEEN_EVERY), so a busy console costs no write per
    request."""
    staff = await auth.current_staff(conn, session)
    if staff is not None and staff.seen_long_ago:
        svc = services(conn)
        async with writing(svc.sessionmaker, svc.broker) as w:
            await touch_session(w, staff.session_key)
    return staff


class Need(enum.Enum):
    """What a staff route lets its caller do with a meeting."""

    DRIVE = "drive"  # run the meeting and moderate: the council's clerks, and admins
    REVIEW = "review"  # read the staff record: anyone on the council's staff, and admins
    MANAGE = "manage"  # the council's staff and audit log: its admins, and deployment admins


def allows(staff: StaffIdentity, council_id: int, need: Need) -> bool:
    """Whether the staff member's role in the council allows ``need`` there."""
    if need is Need.MANAGE:
        return staff.can_manage(council_id)
    if need is Need.REVIEW:
        return staff.can_review(council_id)
    return staff.can_drive(council_id)


@dataclass(frozen=True)
class Refusal:
    status: int  # 401, 403 or 404 (a socket closes with 4000 + this)
    code: str
    message: str


async def authorise(
    conn: HTTPConnection, session: AsyncSession, meeting_id: int, need: Need
) -> tuple[StaffIdentity, Meeting] | Refusal:
    """The signed-in staff member and the meeting, if their role allows ``need`` there."""
    staff = await identify(conn, session)
    if staff is None:
        return Refusal(401, "sign_in", _("Sign in first."))
    meeting = await load_meeting(session, meeting_id)
    if meeting is None:
        return Refusal(404, "not_found", _("There is no such meeting."))
    if need is Need.DRIVE and not staff.can_drive(meeting.council_id):
        return Refusal(403, "forbidden", _("Your role does not let you drive this meeting."))
    if not allows(staff, meeting.council_id, need):
        return Refusal(403, "forbidden", _("Your role does not give access to this page."))
    return staff, meeting


def sign_in_first(request: Request) -> Response:
    """Pages send a signed-out visitor to the sign-in page; scripts and POSTs get a 401."""
    if wants_json(request) or request.method != "GET":
        return error_response(request, 401, "sign_in", _("Sign in first."))
    return RedirectResponse(f"/staff/login?next={request.url.path}", status_code=303)


def refused(request: Request, refusal: Refusal) -> Response:
    if refusal.status == 401:
        return sign_in_first(request)
    return error_response(request, refusal.status, refusal.code, refusal.message)


async def staff_meeting(request: Request, need: Need) -> tuple[StaffIdentity, Meeting] | Response:
    """For a staff route under ``/.../meetings/{meeting_id}``: who and which meeting, or the
    refusal to send."""
    async with services(request).sessionmaker() as session:
        result = await authorise(request, session, request.path_params["meeting_id"], need)
    if isinstance(result, Refusal):
        return refused(request, result)
    use_council_language(request, result[1].council.default_language)
    return result


async def signed_in(request: Request) -> StaffIdentity | Response:
    """For staff routes not about one meeting (the dashboard)."""
    async with services(request).sessionmaker() as session:
        staff = await identify(request, session)
    return staff if staff is not None else sign_in_first(request)


async def staff_form(request: Request) -> dict[str, str] | Response:
    """A staff POST's form, its CSRF token checked (field ``csrf_token`` or header
    ``X-CSRF-Token``) and its Origin, when sent, ours. The route declares its fields with
    ``@takes(form={**CSRF_FORM, ...})``."""
    refusal = foreign_origin(request)
    if refusal is not None:
        return refusal
    values = await read_form(request)
    if isinstance(values, Response):
        return values
    token = values.get(auth.CSRF_FIELD) or request.headers.get(auth.CSRF_HEADER)
    if not auth.csrf_valid(request, token):
        return error_response(
            request, 403, "csrf", _("This form has expired. Reload the page and try again.")
        )
    return values


async def staff_action(
    request: Request, need: Need = Need.DRIVE
) -> tuple[StaffIdentity, Meeting, dict[str, str]] | Response:
    """A staff POST about one meeting: who, which meeting and the checked form."""
    form = await staff_form(request)
    if isinstance(form, Response):
        return form
    checked = await staff_meeting(request, need)
    if isinstance(checked, Response):
        return checked
    return checked[0], checked[1], form


async def staff_council(
    request: Request, need: Need = Need.DRIVE
) -> tuple[StaffIdentity, Council] | Response:
    """For a staff route under ``/staff/councils/{slug}``: who and which council, if their role
    there allows ``need`` (its settings, sources and new meetings: the council's clerks and
    admins; its staff and audit log: its admins), or the refusal to send."""
    async with services(request).sessionmaker() as session:
        staff = await identify(request, session)
        if staff is None:
            return sign_in_first(request)
        council = await council_by_slug(session, request.path_params["slug"])
    if council is None:
        return error_response(request, 404, "not_found", _("There is no such council."))
    if not allows(staff, council.id, need):
        return error_response(
            request, 403, "forbidden", _("Your role does not let you manage this council.")
        )
    use_council_language(request, council.default_language)
    return staff, council


# ---- the admin area: who may create councils, and which councils each person manages ----------
# The two rules the admin area asks; per-council roles replace their bodies, not their callers.


def may_manage(staff: StaffIdentity, council_id: int) -> bool:
    """Whether ``staff`` may configure the council (its settings, sources, new meetings): its
    clerks, and admins."""
    return staff.can_drive(council_id)


def may_create_councils(staff: StaffIdentity) -> bool:
    """Whether ``staff`` administers the deployment (creates councils, sees them all)."""
    return staff.is_deployment_admin


async def deployment_admin(request: Request) -> StaffIdentity | Response:
    """For the deployment's admin pages (``/staff/admin``): the admin signed in, or the
    refusal to send."""
    staff = await signed_in(request)
    if isinstance(staff, Response):
        return staff
    if not may_create_councils(staff):
        return error_response(
            request, 403, "forbidden", _("Only the deployment's administrators can do this.")
        )
    return staff


async def deployment_admin_action(
    request: Request,
) -> tuple[StaffIdentity, dict[str, str]] | Response:
    """A POST of the deployment's admin pages: the admin and the checked form."""
    form = await staff_form(request)
    if isinstance(form, Response):
        return form
    staff = await deployment_admin(request)
    if isinstance(staff, Response):
        return staff
    return staff, form


async def staff_council_action(
    request: Request, need: Need = Need.DRIVE
) -> tuple[StaffIdentity, Council, dict[str, str]] | Response:
    """A staff POST about one council: who, which council and the checked form."""
    form = await staff_form(request)
    if isinstance(form, Response):
        return form
    checked = await staff_council(request, need)
    if isinstance(checked, Response):
        return checked
    return checked[0], checked[1], form


def actor(staff: StaffIdentity) -> Actor:
    """Who acts, for an action's audit record."""
    return Actor(staff.user_id, staff.display_name)
