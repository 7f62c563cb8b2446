"""A staff POST that runs one action: the form and its CSRF token checked, the caller
authorised for the meeting, the action run in one transaction, its refusal rendered (a stale
console action as a sentence saying who acted and what is now true)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from babel.dates import format_time
from starlette.requests import Request
from starlette.responses import Response

from hub import i18n
from hub.actions import ActionError
from hub.actions._locks import Actor
from hub.actions.agenda import Stale
from hub.events.publish import Writer, writing
from hub.i18n import N_
from hub.i18n import gettext_ as _
from hub.models import Meeting
from hub.web import labels, services
from hub.web.errors import json_error, refusal, wants_json
from hub.web.guards import Need, staff_action
from hub.web.render import page
from hub.web.templating import BABEL_LOCALES

T = TypeVar("T")
# The action to run: given the transaction, who acts, the meeting and the checked form.
Act = Callable[[Writer, Actor, Meeting, dict[str, str]], Awaitable[T]]


@dataclass(frozen=True)
class Done(Generic[T]):
    result: T
    meeting: Meeting
    last_seq: int  # the last seq the action appended (the meeting's, if it appended none)


async def perform(request: Request, act: Act[T], need: Need = Need.DRIVE) -> Done[T] | Response:
    checked = await staff_action(request, need)
    if isinstance(checked, Response):
        return checked
    staff, meeting, form = checked
    svc = services(request)
    try:
        async with writing(svc.sessionmaker, svc.broker) as w:
            result = await act(w, Actor(staff.user_id, staff.display_name), meeting, form)
    except Stale as exc:
        return stale_refusal(request, exc, meeting)
    except ActionError as exc:
        return refusal(request, exc)
    last_seq = w.appended[-1].seq if w.appended else meeting.last_seq
    return Done(result, meeting, last_seq)


def clock_time(at: datetime, timezone: str) -> str:
    """A time to the second in the council's zone ("19:32:10"), as the console shows times."""
    locale = BABEL_LOCALES.get(i18n.current_language(), "en_GB")
    return format_time(at.astimezone(ZoneInfo(timezone)), "HH:mm:ss", locale=locale)


# "Already ..." (the clerk asked for what another clerk had just done) and "<who> ... item <n>"
# (the item changed otherwise), by the item's status now.
_ALREADY = {
    "current": N_("Already made current by %(who)s at %(time)s."),
    "done": N_("Already marked done by %(who)s at %(time)s."),
    "deferred": N_("Already deferred by %(who)s at %(time)s."),
    "withdrawn": N_("Already withdrawn by %(who)s at %(time)s."),
    "pending": N_("Already put back to pending by %(who)s at %(time)s."),
}
_CHANGED = {
    "current": N_("%(who)s made item %(number)s current at %(time)s."),
    "done": N_("%(who)s marked item %(number)s done at %(time)s."),
    "deferred": N_("%(who)s deferred item %(number)s at %(time)s."),
    "withdrawn": N_("%(who)s withdrew item %(number)s at %(time)s."),
    "pending": N_("%(who)s put item %(number)s back to pending at %(time)s."),
}


def stale_message(exc: Stale, timezone: str) -> str:
    """What the clerk whose action was refused reads: who acted, when, and what is now true."""
    values = {
        "who": exc.actor or _("another clerk"),
        "time": clock_time(exc.at, timezone) if exc.at else "?",
        "number": exc.item_number or "",
    }
    if exc.subject == "meeting":
        status = _(labels.MEETING_STATUS.get(exc.state, exc.state))
        text = _("%(who)s changed the meeting's status at %(time)s: it is now “%(status)s”.") % {
            **values,
            "status": status,
        }
    else:
        table = _ALREADY if exc.repeat else _CHANGED
        text = _(table.get(exc.state, _CHANGED["pending"])) % values
        if exc.state == "done" and exc.outcome:
            text = text.removesuffix(".") + _(": “%(note)s”.") % {"note": exc.outcome}
    not_taken = _("Your action was not taken.")
    return f"{text} {not_taken}"


def stale_refusal(request: Request, exc: Stale, meeting: Meeting) -> Response:
    """409 for a stale console action: JSON for the console's script (which shows it beside
    the item), else a page that explains and links back to the item."""
    message = stale_message(exc, meeting.council.timezone)
    if wants_json(request):
        return json_error(
            exc.status,
            exc.code,
            message,
            subject=exc.subject,
            item_id=exc.item_id,
            state=exc.state,
        )
    back = f"/staff/meetings/{meeting.id}" + (f"#item-{exc.item_id}" if exc.item_id else "")
    return page(request, "staff/stale.html", {"message": message, "back": back}, exc.status)
