"""Search across a council's meetings (staff: councillors and clerks of the council; admins
choose the council). Only published contributions and agenda items are searchable."""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from hub.models import Council, Role
from hub.queries.search import QUERY_MAX_CHARS, search
from hub.web import services
from hub.web.guards import signed_in
from hub.web.render import staff_page


async def search_page(request: Request) -> Response:
    staff = await signed_in(request)
    if isinstance(staff, Response):
        return staff
    query = (request.query_params.get("q") or "").replace("\x00", "")[:QUERY_MAX_CHARS]
    async with services(request).sessionmaker() as session:
        if staff.role is Role.ADMIN:
            councils = list(await session.scalars(select(Council).order_by(Council.name)))
        else:
            councils = [c for c in [await session.get(Council, staff.council_id)] if c]
        wanted = request.query_params.get("council")
        council = next((c for c in councils if c.slug == wanted), councils[0] if councils else None)
        hits = await search(session, council.id, query) if council and query.strip() else []
    return staff_page(
        request,
        "staff/search.html",
        staff,
        {
            "query": query,
            "councils": councils,
            "council": council,
            "hits": hits,
            "searched": bool(query.strip()),
        },
    )
