"""A council's audit log, for its admins: every change to the council, its staff, settings and
sources, newest first, a page at a time, each as a sentence in the reader's language."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.i18n import gettext_ as _
from hub.models import iso
from hub.queries.staff import AUDIT_PAGE, audit_entries
from hub.web import services
from hub.web.errors import error_response, wants_json
from hub.web.guards import Need, staff_council
from hub.web.inputs import NUMBER_MAX_DIGITS, parse_id, read_query, takes
from hub.web.render import staff_page
from hub.web.staff.audit_words import sentence


@takes(query={"before": NUMBER_MAX_DIGITS})
async def audit_log(request: Request) -> Response:
    checked = await staff_council(request, Need.MANAGE)
    if isinstance(checked, Response):
        return checked
    staff, council = checked
    query = read_query(request)
    if isinstance(query, Response):
        return query
    before = None
    if "before" in query:
        # An entry's id: within the id column's range (past it, PostgreSQL refuses the query).
        before = parse_id(query["before"])
        if before is None:
            return error_response(request, 400, "bad_before", _("“before” is an entry number."))
    async with services(request).sessionmaker() as session:
        # One more than a page: whether there is an older page to link to.
        entries = await audit_entries(session, council.id, before, AUDIT_PAGE + 1)
    older = entries[AUDIT_PAGE - 1].id if len(entries) > AUDIT_PAGE else None
    entries = entries[:AUDIT_PAGE]
    if wants_json(request):
        return JSONResponse(
            {
                "entries": [
                    {
                        "id": e.id,
                        "at": iso(e.at),
                        "actor": e.actor_name,
                        "action": e.action,
                        "details": e.details,
                        "sentence": sentence(e.action, e.details),
                    }
                    for e in entries
                ],
                "older": older,
            }
        )
    lines = [(e, sentence(e.action, e.details)) for e in entries]
    return staff_page(
        request,
        "staff/council_audit.html",
        staff,
        {"council": council, "lines": lines, "older": older, "paged": before is not None},
    )
