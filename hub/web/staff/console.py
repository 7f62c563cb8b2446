"""The dashboard and the clerk's console with its actions."""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from hub.actions import Invalid
from hub.actions._locks import Actor
from hub.actions.agenda import OUTCOME_MAX_CHARS, set_current_item, set_item_outcome
from hub.actions.meetings import change_meeting_status
from hub.events.publish import Writer
from hub.models import Council, Meeting
from hub.queries.meetings import snapshot_of, staff_activity
from hub.queries.social import source_views
from hub.shapes.serialise import as_json
from hub.web import labels, services
from hub.web.errors import wants_json
from hub.web.guards import CSRF_FORM, Need, signed_in, staff_meeting
from hub.web.inputs import CODE_MAX_CHARS, NUMBER_MAX_DIGITS, parse_number, takes
from hub.web.render import staff_page
from hub.web.staff.acting import perform
from hub.web.staff.activity import activity_lines
from integrations.social.clients import CREDENTIAL_FIELDS


async def dashboard(request: Request) -> Response:
    """What the signed-in person has in each council they serve: their role there, the
    council's pages their role opens, and its meetings (newest first)."""
    staff = await signed_in(request)
    if isinstance(staff, Response):
        return staff
    serves = staff.council_ids()
    async with services(request).sessionmaker() as session:
        query = select(Meeting).join(Council).order_by(Meeting.starts_at.desc()).limit(100)
        councils = select(Council).order_by(Council.name)
        if serves is not None:
            query = query.where(Meeting.council_id.in_(serves))
            councils = councils.where(Council.id.in_(serves))
        meetings = list((await session.execute(query)).scalars())
        council_list = list((await session.execute(councils)).scalars())
    return staff_page(
        request,
        "staff/index.html",
        staff,
        {
            "meetings": meetings,
            "councils": council_list,
            "by_council": {
                c.id: [m for m in meetings if m.council_id == c.id] for c in council_list
            },
            "role_names": labels.staff_roles(),
        },
    )


async def console(request: Request) -> Response:
    checked = await staff_meeting(request, Need.DRIVE)
    if isinstance(checked, Response):
        return checked
    staff, meeting = checked
    async with services(request).sessionmaker() as session:
        snap = await snapshot_of(session, meeting.id)
        activity = await staff_activity(session, meeting.id, snap["last_seq"])
        sources = [as_json(v) for v in await source_views(session, meeting.council_id)]
    words = labels.activity_words()
    context = {
        "snap": snap,
        "meeting": snap["meeting"],
        "items": snap["items"],
        "activity": activity,
        "activity_words": words,
        "activity_lines": activity_lines(
            activity, snap["items"], words, snap["meeting"]["timezone"]
        ),
        "social_sources": sources,
        "social": labels.social_words(),
        "social_needs": {p: list(f) for p, f in CREDENTIAL_FIELDS.items()},
    }
    return staff_page(request, "staff/console.html", staff, context)


def _done(request: Request, meeting_id: int, seq: int) -> Response:
    if wants_json(request):
        return JSONResponse({"ok": True, "last_seq": seq})
    return RedirectResponse(f"/staff/meetings/{meeting_id}", status_code=303)


def _version(form: dict[str, str], name: str) -> int | None:
    """A version the form carries (what the clerk saw); absent or empty: no check."""
    raw = form.get(name, "")
    if raw == "":
        return None
    number = parse_number(raw)
    if number is None:
        raise Invalid(f"{name} must be a whole number")
    return number


# The state a console form was shown against (hub/actions/agenda.py's Stale): the item's or the
# meeting's version, and for "Make current" the id of the item that was current (0: none).
VERSION_FIELDS = {"version": NUMBER_MAX_DIGITS, "current_was": NUMBER_MAX_DIGITS}


@takes(form={**CSRF_FORM, "action": CODE_MAX_CHARS, "version": NUMBER_MAX_DIGITS})
async def meeting_action(request: Request) -> Response:
    done = await perform(
        request,
        lambda w, actor, meeting, form: change_meeting_status(
            w, meeting.id, form.get("action", ""), actor, version=_version(form, "version")
        ),
    )
    if isinstance(done, Response):
        return done
    return _done(request, done.meeting.id, done.last_seq)


@takes(form={**CSRF_FORM, "status": CODE_MAX_CHARS, "note": OUTCOME_MAX_CHARS, **VERSION_FIELDS})
async def item_action(request: Request) -> Response:
    item_id: int = request.path_params["item_id"]

    async def act(w: Writer, actor: Actor, meeting: Meeting, form: dict[str, str]) -> None:
        status = form.get("status", "")
        version = _version(form, "version")
        if status == "current":
            await set_current_item(
                w,
                meeting.id,
                item_id,
                actor,
                version=version,
                current_was=_version(form, "current_was"),
            )
        else:
            await set_item_outcome(
                w, meeting.id, item_id, status, actor, form.get("note"), version=version
            )

    done = await perform(request, act)
    if isinstance(done, Response):
        return done
    return _done(request, done.meeting.id, done.last_seq)


async def staff_snapshot(request: Request) -> Response:
    """The console's snapshot: the public one plus the staff activity log (for the clerks who
    drive the meeting, like the staff stream it opens)."""
    checked = await staff_meeting(request, Need.DRIVE)
    if isinstance(checked, Response):
        return checked
    _staff, meeting = checked
    async with services(request).sessionmaker() as session:
        snap = await snapshot_of(session, meeting.id)
        snap["staff_activity"] = await staff_activity(session, meeting.id, snap["last_seq"])
        # The council's social sources' health (never their credentials).
        snap["social_sources"] = [
            as_json(v) for v in await source_views(session, meeting.council_id)
        ]
    return JSONResponse(snap)
