"""A council's social sources, for its clerks (and admins): each source's health, adding and
removing one, and setting its credentials, which are write-only: encrypted as they arrive
(hub/secrets.py), shown only as "set", never sent back in a page or an answer."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from hub.actions import ActionError, Invalid, NotFound
from hub.actions._locks import Actor
from hub.actions.social_sources import (
    NAME_MAX_CHARS,
    URL_MAX_CHARS,
    add_source,
    remove_source,
    set_credentials,
)
from hub.events.publish import writing
from hub.i18n import gettext_ as _
from hub.models import Council
from hub.queries.social import source_views, tags_of
from hub.shapes.serialise import as_json
from hub.web import labels, services
from hub.web.errors import refusal, wants_json
from hub.web.guards import CSRF_FORM, actor, staff_council, staff_form
from hub.web.inputs import CODE_MAX_CHARS, takes
from hub.web.render import staff_page
from integrations.social.clients import CREDENTIAL_FIELDS

# The secrets' fields (an X bearer token is about 120 characters, a Bluesky app password 19).
CREDENTIAL_FORM = {"handle": 253, "bearer_token": 1000, "app_password": 200}
ADD_FORM = {
    **CSRF_FORM,
    "platform": CODE_MAX_CHARS,
    "name": NAME_MAX_CHARS,
    "base_url": URL_MAX_CHARS,
    **CREDENTIAL_FORM,
}


def _page_path(council: Council) -> str:
    return f"/staff/councils/{council.slug}/social"


async def sources_page(request: Request) -> Response:
    checked = await staff_council(request)
    if isinstance(checked, Response):
        return checked
    staff, council = checked
    svc = services(request)
    async with svc.sessionmaker() as session:
        views = [as_json(v) for v in await source_views(session, council.id)]
    if wants_json(request):
        return JSONResponse({"sources": views})
    context = {
        "council": council,
        "sources": views,
        "hashtags": tags_of(council.hashtags),
        "window": council.social_window_minutes,
        "can_store_credentials": svc.secrets.available,
        "needs": {p: list(f) for p, f in CREDENTIAL_FIELDS.items()},
        "social": labels.social_words(),
    }
    return staff_page(request, "staff/social.html", staff, context)


def _credentials(platform: str, form: dict[str, str]) -> dict[str, str]:
    values = {}
    for name in CREDENTIAL_FIELDS.get(platform, ()):
        value = form.get(name, "").strip()
        if name == "handle":
            value = value.lstrip("@")
        if not value:
            raise Invalid(_("Fill in every field of the credentials."))
        values[name] = value
    return values


def _done(request: Request, council: Council, source_id: int | None) -> Response:
    if wants_json(request):
        return JSONResponse({"ok": True, "id": source_id})
    anchor = f"#source-{source_id}" if source_id else ""
    return RedirectResponse(_page_path(council) + anchor, status_code=303)


async def _checked(request: Request) -> tuple[Council, dict[str, str], Actor] | Response:
    form = await staff_form(request)
    if isinstance(form, Response):
        return form
    checked = await staff_council(request)
    if isinstance(checked, Response):
        return checked
    return checked[1], form, actor(checked[0])


@takes(form=ADD_FORM)
async def add(request: Request) -> Response:
    checked = await _checked(request)
    if isinstance(checked, Response):
        return checked
    council, form, by = checked
    svc = services(request)
    platform = form.get("platform", "")
    try:
        values = _credentials(platform, form)
        token = svc.secrets.encrypt(values) if values else None
        async with writing(svc.sessionmaker, svc.broker) as w:
            source = await add_source(
                w,
                council.slug,
                platform,
                form.get("name", ""),
                base_url=form.get("base_url", "").strip() or None,
                credentials=token,
                actor=by,
            )
            source_id = source.id
    except ActionError as exc:
        return refusal(request, exc)
    return _done(request, council, source_id)


@takes(form={**CSRF_FORM, **CREDENTIAL_FORM})
async def credentials(request: Request) -> Response:
    checked = await _checked(request)
    if isinstance(checked, Response):
        return checked
    council, form, by = checked
    svc = services(request)
    source_id: int = request.path_params["source_id"]
    async with svc.sessionmaker() as session:
        views = {v.id: v for v in await source_views(session, council.id)}
    try:
        if source_id not in views:
            raise NotFound(_("This council has no such source."))
        values = _credentials(views[source_id].platform, form)
        if not values:
            raise Invalid(_("This source takes no credentials."))
        token = svc.secrets.encrypt(values)
        async with writing(svc.sessionmaker, svc.broker) as w:
            await set_credentials(w, source_id, token, council_id=council.id, actor=by)
    except ActionError as exc:
        return refusal(request, exc)
    return _done(request, council, source_id)


@takes(form=CSRF_FORM)
async def remove(request: Request) -> Response:
    checked = await _checked(request)
    if isinstance(checked, Response):
        return checked
    council, _form, by = checked
    svc = services(request)
    try:
        async with writing(svc.sessionmaker, svc.broker) as w:
            await remove_source(
                w, request.path_params["source_id"], council_id=council.id, actor=by
            )
    except ActionError as exc:
        return refusal(request, exc)
    return _done(request, council, None)
