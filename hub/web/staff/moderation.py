"""Clerks' moderation: the queue page and its JSON state, single and bulk actions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from hub.actions import Invalid
from hub.actions._locks import Actor
from hub.actions.moderation import BULK_MAX, REASON_MAX_CHARS, Outcome, bulk, moderate
from hub.actions.moving import GENERAL, move
from hub.actions.social_withdrawal import withdraw_deleted
from hub.events.publish import Writer
from hub.i18n import gettext_ as _
from hub.models import Meeting, utcnow
from hub.policy import policy_of
from hub.queries.meetings import load_items, load_meeting
from hub.queries.moderation import moderation_state
from hub.shapes.public import item_views, meeting_view
from hub.shapes.serialise import as_json
from hub.web import services
from hub.web.errors import wants_json
from hub.web.guards import CSRF_FORM, Need, staff_meeting
from hub.web.inputs import CODE_MAX_CHARS, parse_id, takes
from hub.web.render import staff_page
from hub.web.staff.acting import perform


def reasons_of(meeting: Meeting) -> dict[str, str]:
    """The council's rejection reasons, labelled in the page's language."""
    return {code: _(label) for code, label in policy_of(meeting.council).reasons.items()}


async def queue_page(request: Request) -> Response:
    checked = await staff_meeting(request, Need.DRIVE)
    if isinstance(checked, Response):
        return checked
    staff, meeting = checked
    async with services(request).sessionmaker() as session:
        fresh = await load_meeting(session, meeting.id)
        assert fresh is not None
        last_seq = fresh.last_seq  # read first: the state below is at least this fresh
        state = await moderation_state(session, meeting.id)
        items = await load_items(session, meeting.id)
    return staff_page(
        request,
        "staff/moderation.html",
        staff,
        {
            "meeting": as_json(meeting_view(meeting)),
            "items": [as_json(v) for v in item_views(items)],
            "state": state,
            "reasons": reasons_of(meeting),
            "policy": policy_of(meeting.council),
            "last_seq": last_seq,
            "spotlight_id": fresh.spotlight_id,
            "spotlight_pinned": fresh.spotlight_id is not None and fresh.spotlight_pinned,
        },
    )


async def queue_state(request: Request) -> Response:
    """JSON for the queue page after a reset: ``pending``, ``decided``, ``last_seq``."""
    checked = await staff_meeting(request, Need.DRIVE)
    if isinstance(checked, Response):
        return checked
    _staff, meeting = checked
    async with services(request).sessionmaker() as session:
        fresh = await load_meeting(session, meeting.id)
        assert fresh is not None
        state = await moderation_state(session, meeting.id)
    return JSONResponse({**state, "last_seq": fresh.last_seq, "reasons": reasons_of(meeting)})


def _result(request: Request, meeting_id: int, body: dict[str, object]) -> Response:
    if wants_json(request):
        return JSONResponse(body)
    return RedirectResponse(f"/staff/meetings/{meeting_id}/moderation", status_code=303)


MODERATE_FORM = {
    **CSRF_FORM,
    "action": CODE_MAX_CHARS,
    "reason": REASON_MAX_CHARS,
    # Checkboxes: present (any value) when ticked.
    "pin": CODE_MAX_CHARS,
    "reject_pending": CODE_MAX_CHARS,
    # move: the item's id, or "" for the meeting in general.
    "item_id": CODE_MAX_CHARS,
}
# Up to BULK_MAX ids of up to 10 digits, each with a separator.
IDS_MAX_CHARS = BULK_MAX * 11


async def _act(
    w: Writer, actor: Actor, meeting: Meeting, form: dict[str, str], contribution_id: int
) -> object:
    action = form.get("action", "")
    if action == "move":
        # Where to: an item's id, or "" (or "general") for the meeting in general.
        raw = form.get("item_id", "").strip()
        item_id = None if raw in ("", GENERAL) else parse_id(raw)
        if raw not in ("", GENERAL) and item_id is None:
            raise Invalid(_("There is no such item in this meeting."))
        return await move(w, meeting.id, contribution_id, item_id, actor)
    if action == "withdraw":
        await withdraw_deleted(w, meeting.id, contribution_id, actor, utcnow())
        return None
    return await moderate(
        w,
        meeting.id,
        contribution_id,
        action,
        actor,
        form.get("reason"),
        pin=bool(form.get("pin")),
        reject_pending=bool(form.get("reject_pending")),
    )


@takes(form=MODERATE_FORM)
async def act(request: Request) -> Response:
    """One clerk's action on one submission: the moderation actions (hub/actions/moderation.py),
    ``move`` (to ``item_id``, or the meeting in general: hub/actions/moving.py) and, for a
    social post, ``withdraw`` (deleted at its source: hub/actions/social_withdrawal.py)."""
    contribution_id: int = request.path_params["contribution_id"]
    done = await perform(
        request,
        lambda w, actor, meeting, form: _act(w, actor, meeting, form, contribution_id),
    )
    if isinstance(done, Response):
        return done
    return _result(request, done.meeting.id, {"ok": True})


async def _bulk(w: Writer, actor: Actor, meeting: Meeting, form: dict[str, str]) -> list[Outcome]:
    ids = [i for x in form.get("ids", "").replace(",", " ").split() if (i := parse_id(x))]
    return await bulk(w, meeting.id, ids, form.get("action", ""), actor, form.get("reason"))


@takes(form={**MODERATE_FORM, "ids": IDS_MAX_CHARS})
async def act_bulk(request: Request) -> Response:
    done = await perform(request, _bulk)
    if isinstance(done, Response):
        return done
    results = [{"id": o.contribution_id, "ok": o.ok, "message": o.message} for o in done.result]
    return _result(request, done.meeting.id, {"results": results})
