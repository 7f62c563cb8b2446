"""The staff agenda editor: a meeting's details, its submission window and its items (add,
edit, reorder, nest, make private, withdraw), each a form that works without JavaScript (the
server redirects back to the item) and, with it, is sent in place (static/js/pages/agenda.js,
which also reorders by keyboard and by drag). Every change is an action with events, so open
resident pages follow at once."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from hub.actions import Invalid
from hub.actions._locks import Actor
from hub.actions.agenda import set_item_outcome
from hub.actions.agenda_edit import (
    DESCRIPTION_MAX,
    MEETING_TEXT_MAX,
    NUMBER_MAX,
    add_item,
    edit_item,
    edit_meeting,
    move_item,
    set_private,
)
from hub.actions.meetings import update_meeting
from hub.events.publish import Writer
from hub.models import AgendaSource, Meeting
from hub.queries.agenda_editor import editor_items, meeting_differs
from hub.queries.meetings import load_items
from hub.shapes.public import meeting_view
from hub.web import services
from hub.web.errors import wants_json
from hub.web.guards import CSRF_FORM, Need, staff_meeting
from hub.web.inputs import CODE_MAX_CHARS, NUMBER_MAX_DIGITS, parse_number, takes
from hub.web.render import staff_page
from hub.web.staff.acting import perform

# <input type="datetime-local"> sends the council's wall-clock time like this.
LOCAL_INPUT = "%Y-%m-%dT%H:%M"
WHEN_MAX = 32
ITEM_TEXT = {
    "number": NUMBER_MAX,
    "title": 500,
    "description": DESCRIPTION_MAX,
    "title_cy": 500,
    "description_cy": DESCRIPTION_MAX,
}


def local_input(value: datetime | None, zone: str) -> str:
    return value.astimezone(ZoneInfo(zone)).strftime(LOCAL_INPUT) if value else ""


def parse_local(value: str, zone: str, what: str) -> datetime | None:
    """A datetime-local value in the council's zone, made aware; '' is None."""
    value = value.strip()
    if not value:
        return None
    try:
        local = datetime.strptime(value, LOCAL_INPUT)  # noqa: DTZ007 - the zone follows
    except ValueError:
        raise Invalid(f"{what} is a date and time (YYYY-MM-DDTHH:MM)") from None
    return local.replace(tzinfo=ZoneInfo(zone))


def _back(request: Request, meeting_id: int, anchor: str = "") -> Response:
    if wants_json(request):
        return JSONResponse({"ok": True})
    return RedirectResponse(f"/staff/meetings/{meeting_id}/agenda{anchor}", status_code=303)


def _id(form: dict[str, str], name: str) -> int | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    number = parse_number(raw)
    if number is None:
        raise Invalid(f"{name} must be a whole number")
    return number


def _flag(form: dict[str, str], name: str) -> bool:
    raw = form.get(name, "")
    if raw not in ("", "0", "1", "on"):
        raise Invalid(f"{name} is 1 or 0")
    return raw in ("1", "on")


async def editor(request: Request) -> Response:
    checked = await staff_meeting(request, Need.DRIVE)
    if isinstance(checked, Response):
        return checked
    staff, meeting = checked
    async with services(request).sessionmaker() as session:
        items = await load_items(session, meeting.id)
        source = None
        if meeting.source is not None:
            source = await session.scalar(
                select(AgendaSource.name).where(AgendaSource.key == meeting.source)
            )
    zone = meeting.council.timezone
    context = {
        "meeting": meeting_view(meeting),
        "row": meeting,
        "rows": editor_items(items),
        "source_name": source,
        "meeting_differs": meeting_differs(meeting),
        "starts_local": local_input(meeting.starts_at, zone),
        "open_local": local_input(meeting.submissions_open_at, zone),
        "close_local": local_input(meeting.submissions_close_at, zone),
        "editable": meeting.status not in ("closed", "cancelled"),
    }
    return staff_page(request, "staff/agenda.html", staff, context)


@takes(
    form={
        **CSRF_FORM,
        "title": MEETING_TEXT_MAX["title"],
        "title_cy": MEETING_TEXT_MAX["title"],
        "body_name": MEETING_TEXT_MAX["body_name"],
        "starts_at": WHEN_MAX,
        "location": MEETING_TEXT_MAX["location"],
        "webcast_url": MEETING_TEXT_MAX["webcast_url"],
    }
)
async def details(request: Request) -> Response:
    async def act(w: Writer, actor: Actor, meeting: Meeting, form: dict[str, str]) -> None:
        starts = parse_local(form.get("starts_at", ""), meeting.council.timezone, "The start")
        if starts is None:
            raise Invalid("a meeting needs its start time")
        await edit_meeting(
            w,
            meeting.id,
            actor,
            title=form.get("title", ""),
            body_name=form.get("body_name", ""),
            starts_at=starts,
            location=form.get("location", ""),
            webcast_url=form.get("webcast_url", ""),
            title_cy=form.get("title_cy"),
        )

    done = await perform(request, act)
    return done if isinstance(done, Response) else _back(request, done.meeting.id, "#details")


@takes(form={**CSRF_FORM, "open_at": WHEN_MAX, "close_at": WHEN_MAX})
async def window(request: Request) -> Response:
    async def act(w: Writer, actor: Actor, meeting: Meeting, form: dict[str, str]) -> None:
        zone = meeting.council.timezone
        opens = parse_local(form.get("open_at", ""), zone, "The opening time")
        closes = parse_local(form.get("close_at", ""), zone, "The closing time")
        if opens and closes and closes <= opens:
            raise Invalid("submissions must close after they open")
        await update_meeting(
            w, meeting.id, actor, submissions_open_at=opens, submissions_close_at=closes
        )

    done = await perform(request, act)
    return done if isinstance(done, Response) else _back(request, done.meeting.id, "#window")


@takes(form={**CSRF_FORM, **ITEM_TEXT, "parent_id": NUMBER_MAX_DIGITS, "private": CODE_MAX_CHARS})
async def add(request: Request) -> Response:
    async def act(w: Writer, actor: Actor, meeting: Meeting, form: dict[str, str]) -> int:
        item = await add_item(
            w,
            meeting.id,
            actor,
            number=form.get("number", ""),
            title=form.get("title", ""),
            description=form.get("description", ""),
            parent_id=_id(form, "parent_id"),
            private=_flag(form, "private"),
            title_cy=form.get("title_cy", ""),
            description_cy=form.get("description_cy", ""),
        )
        return item.id

    done = await perform(request, act)
    if isinstance(done, Response):
        return done
    return _back(request, done.meeting.id, f"#item-{done.result}")


@takes(form={**CSRF_FORM, **ITEM_TEXT})
async def edit(request: Request) -> Response:
    item_id: int = request.path_params["item_id"]

    async def act(w: Writer, actor: Actor, meeting: Meeting, form: dict[str, str]) -> None:
        await edit_item(
            w,
            meeting.id,
            item_id,
            actor,
            number=form.get("number", ""),
            title=form.get("title", ""),
            description=form.get("description", ""),
            title_cy=form.get("title_cy"),
            description_cy=form.get("description_cy"),
        )

    done = await perform(request, act)
    return (
        done if isinstance(done, Response) else _back(request, done.meeting.id, f"#item-{item_id}")
    )


@takes(form={**CSRF_FORM, "move": CODE_MAX_CHARS})
async def move(request: Request) -> Response:
    item_id: int = request.path_params["item_id"]

    async def act(w: Writer, actor: Actor, meeting: Meeting, form: dict[str, str]) -> None:
        direction = form.get("move", "")
        if direction not in ("up", "down", "indent", "outdent"):
            raise Invalid("move is up, down, indent or outdent")
        await move_item(w, meeting.id, item_id, actor, direction)  # type: ignore[arg-type]

    done = await perform(request, act)
    return (
        done if isinstance(done, Response) else _back(request, done.meeting.id, f"#item-{item_id}")
    )


@takes(form={**CSRF_FORM, "private": CODE_MAX_CHARS})
async def privacy(request: Request) -> Response:
    item_id: int = request.path_params["item_id"]

    async def act(w: Writer, actor: Actor, meeting: Meeting, form: dict[str, str]) -> None:
        if form.get("private", "") not in ("0", "1"):
            raise Invalid("private is 1 or 0")
        await set_private(w, meeting.id, item_id, actor, form["private"] == "1")

    done = await perform(request, act)
    return (
        done if isinstance(done, Response) else _back(request, done.meeting.id, f"#item-{item_id}")
    )


@takes(form={**CSRF_FORM, "withdrawn": CODE_MAX_CHARS})
async def withdraw(request: Request) -> Response:
    item_id: int = request.path_params["item_id"]

    async def act(w: Writer, actor: Actor, meeting: Meeting, form: dict[str, str]) -> None:
        if form.get("withdrawn", "") not in ("0", "1"):
            raise Invalid("withdrawn is 1 or 0")
        status = "withdrawn" if form["withdrawn"] == "1" else "pending"
        await set_item_outcome(w, meeting.id, item_id, status, actor)

    done = await perform(request, act)
    return (
        done if isinstance(done, Response) else _back(request, done.meeting.id, f"#item-{item_id}")
    )
