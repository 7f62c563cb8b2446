"""A council's public home page (``/c/{slug}``, or ``/`` on the council's own host name): its
name, logo and colours, what is live now, its meetings coming up and before (paged), its
privacy notice and its moderation figures, in its languages; and its colours as a stylesheet
(``/c/{slug}/theme.css``), so the strict CSP (no inline style) holds.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub import i18n
from hub.actions.council_profile import logo_origin
from hub.models import Council, utcnow
from hub.queries.councils import council_by_slug, council_meetings, council_moderation_figures
from hub.shapes.public import meeting_view
from hub.web import services
from hub.web.errors import error_response
from hub.web.inputs import NUMBER_MAX_DIGITS, parse_number, read_query, takes
from hub.web.public.council_look import council_look
from hub.web.render import page
from hub.web.security import csp_with_images

PAGE_SIZE = 10  # past meetings a page: a year of a committee's monthly meetings, nearly
THEME_MAX_AGE = 86_400  # the stylesheet's URL carries its colours' hash: a change is a new URL
MAX_PAGE = 10_000


def no_council(request: Request) -> Response:
    return error_response(request, 404, "not_found", i18n.gettext_("There is no such council."))


async def render_home(request: Request, council: Council, page_number: int) -> Response:
    """The home page of ``council`` (from its slug or its host name)."""
    svc = services(request)
    async with svc.sessionmaker() as session:
        meetings = await council_meetings(
            session,
            council.id,
            utcnow(),
            limit=PAGE_SIZE,
            offset=(page_number - 1) * PAGE_SIZE,
        )
        figures = await council_moderation_figures(session, council.id)
        views = {
            "live": [meeting_view(m) for m in meetings.live],
            "upcoming": [meeting_view(m) for m in meetings.upcoming],
            "past": [meeting_view(m) for m in meetings.past],
        }
    look = council_look(request, council)
    pages = max(1, -(-meetings.past_total // PAGE_SIZE))
    response = page(
        request,
        "council_home.html",
        {
            "council": council,
            **look,
            "meetings": views,
            "figures": figures,
            "page_number": page_number,
            "pages": pages,
            "base_path": request.url.path,
        },
    )
    if council.logo_url:
        response.headers["content-security-policy"] = csp_with_images(logo_origin(council.logo_url))
    return response


def page_of(request: Request) -> int | Response:
    query = read_query(request)
    if isinstance(query, Response):
        return query
    raw = query.get("page")
    number = 1 if raw is None else parse_number(raw)
    if number is None or not 1 <= number <= MAX_PAGE:
        return error_response(
            request, 400, "bad_page", i18n.gettext_("The page is a whole number from 1.")
        )
    return number


@takes(query={"page": NUMBER_MAX_DIGITS})
async def council_home(request: Request) -> Response:
    number = page_of(request)
    if isinstance(number, Response):
        return number
    async with services(request).sessionmaker() as session:
        council = await council_by_slug(session, request.path_params["slug"])
    if council is None:
        return no_council(request)
    return await render_home(request, council, number)


async def council_theme(request: Request) -> Response:
    """The council's colours as CSS custom properties. Only checked "#rrggbb" values reach it
    (hub/branding.py), so nothing typed into the settings can become CSS."""
    async with services(request).sessionmaker() as session:
        council = await council_by_slug(session, request.path_params["slug"])
    if council is None:
        return no_council(request)
    css = ":root {}\n"
    if council.brand_colour:
        css = (
            ":root {\n"
            f"  --brand: {council.brand_colour};\n"
            f"  --on-brand: {council.brand_text_colour};\n"
            f"  --link: {council.brand_colour};\n"
            "}\n"
        )
    return Response(
        css,
        media_type="text/css",
        headers={"cache-control": f"public, max-age={THEME_MAX_AGE}"},
    )
