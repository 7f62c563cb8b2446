"""The chamber screen: current item, spotlighted question, latest published comments."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.queries.meetings import snapshot
from hub.web import services
from hub.web.public.pages import not_found_page, page_language
from hub.web.render import page


async def projector(request: Request) -> Response:
    async with services(request).sessionmaker() as session:
        snap = await snapshot(session, request.path_params["meeting_id"])
    if snap is None:
        return not_found_page(request)
    page_language(request, snap["meeting"]["language"])
    return page(
        request,
        "projector.html",
        {"snap": snap, "meeting": snap["meeting"], "items": snap["items"]},
    )
