"""Search across a council's meetings (staff: councillors and clerks of the council; admins
choose the council). Only published contributions and agenda items are searchable."""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from hub.models import Council
from hub.queries.search import QUERY_MAX_CHARS, search
from hub.web import services
from hub.web.guards import signed_in
from hub.web.inputs import read_query, takes
from hub.web.render import staff_page


@takes(query={"q": QUERY_MAX_CHARS, "council": 64})
async def search_page(request: Request) -> Response:
    staff = await signed_in(request)
    if isinstance(staff, Response):
        return staff
    params = read_query(request)
    if isinstance(params, Response):
        return params
    query = params.get("q", "")
    async with services(request).sessionmaker() as session:
        serves = staff.council_ids()
        everyone = select(Council).order_by(Council.name)
        mine = everyone if serves is None else everyone.where(Council.id.in_(serves))
        councils = list(await session.scalars(mine))
        wanted = params.get("council")
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
