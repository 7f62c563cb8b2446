"""What councillors (and clerks) read: the feedback per meeting and per agenda item (live,
with charts), a printable briefing, and the moderation log."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.actions.moving import GENERAL, destination
from hub.charts import Bar, Mark, bar_chart, timeline_chart
from hub.i18n import gettext_ as _
from hub.models import Meeting, utcnow
from hub.queries.meetings import load_items, load_meeting
from hub.queries.moderation import moderation_log
from hub.queries.review import POSITIONS, WARD_MIN, Filters, Review, review_of
from hub.shapes.public import meeting_view
from hub.shapes.serialise import as_json
from hub.web import labels, services
from hub.web.errors import wants_json
from hub.web.guards import Need, staff_meeting
from hub.web.inputs import CODE_MAX_CHARS, read_query, takes
from hub.web.render import staff_page
from hub.web.staff.moderation import reasons_of
from hub.web.templating import local_datetime

PATTERN_OF = {"support": "solid", "oppose": "hatch", "neutral": "dots"}


async def audit(request: Request) -> Response:
    checked = await staff_meeting(request, Need.REVIEW)
    if isinstance(checked, Response):
        return checked
    staff, meeting = checked
    async with services(request).sessionmaker() as session:
        fresh = await load_meeting(session, meeting.id)
        assert fresh is not None
        last_seq = fresh.last_seq  # read first: the log below is at least this fresh
        entries = await moderation_log(session, meeting.id)
        items = await load_items(session, meeting.id)
    # Who wrote what (the pseudonym) is for the clerks who moderate, to spot a repeat poster;
    # councillors read what was decided and why.
    show_participant = staff.can_drive(meeting.council_id)
    if not show_participant:
        entries = [{k: v for k, v in e.items() if k != "participant"} for e in entries]
    if wants_json(request):
        return JSONResponse({"entries": entries, "last_seq": last_seq})
    # Where a move went (hub/actions/moving.py logs "item:12" or "general"), in words.
    destinations = {GENERAL: _("To: %(item)s") % {"item": _(labels.MISC["general"])}}
    for item in items:
        destinations[destination(item.id)] = _("To: %(item)s") % {
            "item": f"{item.number} {item.title}"
        }
    context = {
        "meeting": as_json(meeting_view(meeting)),
        "entries": entries,
        "reasons": reasons_of(meeting),
        "destinations": destinations,
        "show_participant": show_participant,
        "last_seq": last_seq,
    }
    return staff_page(request, "staff/audit.html", staff, context)


# The review's filters (hub/queries/review.py) and the live part's flag.
REVIEW_QUERY = {"position": CODE_MAX_CHARS, "area": 60, "since": 5, "until": 5, "partial": 1}


@takes(query=REVIEW_QUERY)
async def review(request: Request) -> Response:
    """The whole meeting's feedback, item by item; ``?partial=1``: only the part that changes,
    which the page's script fetches again as the meeting goes on."""
    return await _review(request, None)


@takes(query=REVIEW_QUERY)
async def review_item(request: Request) -> Response:
    """One item's feedback (with its sub-items)."""
    return await _review(request, int(request.path_params["item_id"]))


async def briefing(request: Request) -> Response:
    """The whole review as one clean printable document: no filters, buttons or navigation."""
    return await _review(request, None, template="staff/briefing.html", use_filters=False)


async def _review(
    request: Request,
    item_id: int | None,
    *,
    template: str = "staff/review.html",
    use_filters: bool = True,
) -> Response:
    checked = await staff_meeting(request, Need.REVIEW)
    if isinstance(checked, Response):
        return checked
    staff, meeting = checked
    query = read_query(request)
    if isinstance(query, Response):
        return query
    filters = Filters.parse(query) if use_filters else Filters()
    async with services(request).sessionmaker() as session:
        fresh = await load_meeting(session, meeting.id)
        assert fresh is not None
        last_seq = fresh.last_seq  # read first: what follows is at least this fresh
        found = await review_of(session, fresh, filters, item_id)
    if item_id is not None and not found.items:
        raise HTTPException(404, _("There is no such item on this meeting's agenda."))
    context: dict[str, Any] = {
        "meeting": as_json(meeting_view(fresh)),
        "review": found,
        "charts": _charts(found, fresh),
        "item_id": item_id,
        "last_seq": last_seq,
        "positions": POSITIONS,
        "ward_min": WARD_MIN,
        "now": utcnow(),
    }
    if query.get("partial") == "1":
        return staff_page(request, "staff/_review_body.html", staff, context)
    return staff_page(request, template, staff, context)


def _charts(found: Review, meeting: Meeting) -> dict[str, Any]:
    """The SVG charts, in the page's language: one per item with feedback, and the timeline."""
    shown = labels.translated()["position"]
    per_item: dict[Any, Markup] = {}
    for group in found.items:
        if not group.comments_total:
            continue
        name = (
            f"{group.item['number']} {group.item['title']}".strip()
            if group.item
            else labels.translated()["misc"]["general"]
        )
        figures = ", ".join(f"{shown[p]}: {group.positions[p]}" for p in POSITIONS)
        per_item[group.item["id"] if group.item else None] = bar_chart(
            _("Comments by position: %(item)s") % {"item": name},
            figures,
            [Bar(shown[p], group.positions[p], PATTERN_OF[p]) for p in POSITIONS],
        )
    timeline = None
    if found.timeline:
        tz = meeting.council.timezone
        start = local_datetime(found.timeline[0][0], tz, "time")
        end = local_datetime(found.timeline[-1][0], tz, "time")
        busiest = max(found.timeline, key=lambda b: b[1])
        total = sum(n for _m, n in found.timeline)
        timeline = timeline_chart(
            _("Submissions per minute"),
            _(
                "%(total)d submissions between %(start)s and %(end)s; the busiest minute, "
                "%(busiest)s, had %(most)d."
            )
            % {
                "total": total,
                "start": start,
                "end": end,
                "busiest": local_datetime(busiest[0], tz, "time"),
                "most": busiest[1],
            },
            found.timeline,
            [Mark(at, label) for at, label in found.starts],
            start,
            end,
        )
    return {"items": per_item, "timeline": timeline}
