"""A council's pages for its clerks (and admins): its agenda sources with each one's health
(add, remove), and a new meeting (then edited in the agenda editor)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from hub.actions import ActionError, Invalid
from hub.actions.agenda_edit import MEETING_TEXT_MAX
from hub.actions.agenda_sources import TOKEN_MAX_CHARS, add_source, remove_source, stored_token
from hub.actions.meetings import create_meeting
from hub.events.publish import writing
from hub.models import AgendaSource
from hub.queries.agenda_sources import sources_of
from hub.web import services
from hub.web.errors import refusal, wants_json
from hub.web.guards import CSRF_FORM, actor, staff_council, staff_council_action
from hub.web.inputs import CODE_MAX_CHARS, takes
from hub.web.render import staff_page
from hub.web.staff.agenda import WHEN_MAX, parse_local

SOURCE_FORM = {
    "name": 100,
    "kind": CODE_MAX_CHARS,
    "url": 500,
    "client": 100,
    "token": TOKEN_MAX_CHARS,
    "committees": 300,
    "welsh_url": 500,
}


async def sources_page(request: Request) -> Response:
    checked = await staff_council(request)
    if isinstance(checked, Response):
        return checked
    staff, council = checked
    async with services(request).sessionmaker() as session:
        sources = await sources_of(session, council.id)
    return staff_page(
        request, "staff/sources.html", staff, {"council": council, "sources": sources}
    )


def _to_sources(request: Request, slug: str) -> Response:
    if wants_json(request):
        return JSONResponse({"ok": True})
    return RedirectResponse(f"/staff/councils/{slug}/sources", status_code=303)


@takes(form={**CSRF_FORM, **SOURCE_FORM})
async def source_add(request: Request) -> Response:
    checked = await staff_council_action(request)
    if isinstance(checked, Response):
        return checked
    staff, council, form = checked
    svc = services(request)
    try:
        token = stored_token(svc.secrets, form.get("token"))
        async with writing(svc.sessionmaker, svc.broker) as w:
            await add_source(
                w,
                council_slug=council.slug,
                name=form.get("name", ""),
                kind=form.get("kind", ""),
                url=form.get("url", ""),
                client=form.get("client"),
                token=token,
                committees=form.get("committees", ""),
                actor=actor(staff),
                welsh_url=form.get("welsh_url"),
            )
    except ActionError as exc:
        return refusal(request, exc)
    return _to_sources(request, council.slug)


@takes(form={**CSRF_FORM})
async def source_remove(request: Request) -> Response:
    checked = await staff_council_action(request)
    if isinstance(checked, Response):
        return checked
    staff, council, _form = checked
    svc = services(request)
    source_id: int = request.path_params["agenda_source_id"]
    try:
        async with writing(svc.sessionmaker, svc.broker) as w:
            source = await w.session.get(AgendaSource, source_id)
            if source is None or source.council_id != council.id:
                raise Invalid("there is no such source for this council")
            await remove_source(w, council_slug=council.slug, name=source.name, actor=actor(staff))
    except ActionError as exc:
        return refusal(request, exc)
    return _to_sources(request, council.slug)


async def new_meeting_page(request: Request) -> Response:
    checked = await staff_council(request)
    if isinstance(checked, Response):
        return checked
    staff, council = checked
    return staff_page(request, "staff/new_meeting.html", staff, {"council": council})


@takes(
    form={
        **CSRF_FORM,
        "title": MEETING_TEXT_MAX["title"],
        "body_name": MEETING_TEXT_MAX["body_name"],
        "starts_at": WHEN_MAX,
        "location": MEETING_TEXT_MAX["location"],
        "webcast_url": MEETING_TEXT_MAX["webcast_url"],
    }
)
async def new_meeting(request: Request) -> Response:
    checked = await staff_council_action(request)
    if isinstance(checked, Response):
        return checked
    _staff, council, form = checked
    svc = services(request)
    try:
        starts = parse_local(form.get("starts_at", ""), council.timezone, "The start")
        if starts is None:
            raise Invalid("a meeting needs its start time")
        title = form.get("title", "").strip()
        if not title:
            raise Invalid("the title is empty")
        async with writing(svc.sessionmaker, svc.broker) as w:
            meeting = await create_meeting(
                w,
                council_slug=council.slug,
                title=title,
                body_name=form.get("body_name", "").strip() or title,
                starts_at=starts,
                location=form.get("location", ""),
                webcast_url=form.get("webcast_url", "").strip() or None,
            )
    except ActionError as exc:
        return refusal(request, exc)
    if wants_json(request):
        return JSONResponse({"ok": True, "id": meeting.id}, status_code=201)
    return RedirectResponse(f"/staff/meetings/{meeting.id}/agenda", status_code=303)
