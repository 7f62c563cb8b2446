"""A council's privacy notice (``/c/{slug}/privacy``), linked from every resident page: the
council's own words, what the hub keeps and for how long, and the resident's participant code
to quote in a request."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub import i18n
from hub.queries.councils import council_by_slug
from hub.shapes.own import participant_code
from hub.web import participants, services
from hub.web.errors import error_response
from hub.web.public.council_look import council_look
from hub.web.render import page


async def privacy_notice(request: Request) -> Response:
    svc = services(request)
    async with svc.sessionmaker() as session:
        council = await council_by_slug(session, request.path_params["slug"])
    if council is None:
        return error_response(request, 404, "not_found", i18n.gettext_("There is no such council."))
    look = council_look(request, council)
    participant = participants.participant_of(request, svc.settings.secret_key)
    notice = [p.strip() for p in council.privacy_notice.split("\n\n") if p.strip()]
    return page(
        request,
        "privacy.html",
        {
            "council": council,
            "notice": notice,
            "code": participant_code(participant) if participant else None,
            **look,
        },
    )
