"""The admin area: the deployment admin's home (every council, and a new one) and the list of
councils a signed-in person manages. Plain forms, no script needed.

Who may do what is asked of hub/web/guards.py (``deployment_admin``, ``may_manage``) only, so
per-council roles change the rules there and nothing here.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from hub import i18n
from hub.actions import ActionError
from hub.actions._locks import Actor
from hub.actions.council_profile import NAME_MAX_CHARS, zone_names
from hub.actions.councils import LANGUAGES, create_council
from hub.auth import StaffIdentity
from hub.events.publish import writing
from hub.queries.councils import all_councils
from hub.web import services
from hub.web.errors import refusal, wants_json
from hub.web.guards import (
    CSRF_FORM,
    deployment_admin,
    deployment_admin_action,
    may_create_councils,
    may_manage,
    signed_in,
)
from hub.web.inputs import CODE_MAX_CHARS, takes
from hub.web.render import staff_page

SLUG_FIELD_CHARS = 64  # councils.slug
ZONE_FIELD_CHARS = 64
NEW_COUNCIL = {
    "name": "",
    "slug": "",
    "timezone": "Europe/London",
    "default_language": "en",
    "moderation": "pre",
    **{f"offer_{code}": "1" for code in LANGUAGES},
}


def _admin_page(
    request: Request,
    staff: StaffIdentity,
    councils: list[object],
    values: dict[str, str],
    error: str | None = None,
    status: int = 200,
) -> Response:
    response = staff_page(
        request,
        "staff/admin.html",
        staff,
        {
            "councils": councils,
            "values": values,
            "error": error,
            "zones": zone_names(),
            "language_names": i18n.LANGUAGES,
        },
    )
    response.status_code = status
    return response


async def admin_home(request: Request) -> Response:
    staff = await deployment_admin(request)
    if isinstance(staff, Response):
        return staff
    async with services(request).sessionmaker() as session:
        councils = await all_councils(session)
    return _admin_page(request, staff, list(councils), dict(NEW_COUNCIL))


@takes(
    form={
        **CSRF_FORM,
        "name": NAME_MAX_CHARS,
        "slug": SLUG_FIELD_CHARS,
        "timezone": ZONE_FIELD_CHARS,
        "default_language": CODE_MAX_CHARS,
        "moderation": CODE_MAX_CHARS,
        **{f"offer_{code}": 1 for code in LANGUAGES},
    }
)
async def create(request: Request) -> Response:
    checked = await deployment_admin_action(request)
    if isinstance(checked, Response):
        return checked
    staff, form = checked
    values = {name: form.get(name, "") for name in NEW_COUNCIL}
    svc = services(request)
    try:
        async with writing(svc.sessionmaker, svc.broker) as w:
            council = await create_council(
                w,
                slug=values["slug"].strip(),
                name=values["name"],
                timezone=values["timezone"],
                language=values["default_language"],
                languages=[code for code in LANGUAGES if values[f"offer_{code}"]],
                moderation=values["moderation"],
                actor=Actor(staff.user_id, staff.display_name),
            )
            slug = council.slug
    except ActionError as exc:
        if wants_json(request):
            return refusal(request, exc)
        async with svc.sessionmaker() as session:
            councils = await all_councils(session)
        return _admin_page(request, staff, list(councils), values, exc.message, exc.status)
    if wants_json(request):
        return JSONResponse({"ok": True, "slug": slug}, status_code=201)
    return RedirectResponse(f"/staff/councils/{slug}/settings", status_code=303)


async def my_councils(request: Request) -> Response:
    """The councils the signed-in person may configure (every one, for an admin)."""
    staff = await signed_in(request)
    if isinstance(staff, Response):
        return staff
    async with services(request).sessionmaker() as session:
        councils = [c for c in await all_councils(session) if may_manage(staff, c.id)]
    return staff_page(
        request,
        "staff/councils.html",
        staff,
        {"councils": councils, "admin": may_create_councils(staff)},
    )
