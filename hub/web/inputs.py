"""The one input layer: what a route reads from a request, typed and bounded, before anything
else sees it. A new route reads its path ids, query numbers, JSON body or form through here and
inherits the limits.

- ids in paths (``{name:id}``) and numbers in query strings: ASCII digits only, bounded;
- JSON bodies: ``application/json`` only, an object;
- forms: field-limited;
- bodies of every kind: at most BODY_MAX_BYTES, refused before they are read whole
  (hub/web/bodies.py, in front of every route);
- a resident's submission: one reader for the JSON body and the plain form alike.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import Response

from hub.actions import MAX_ID
from hub.actions.participation import Submission
from hub.i18n import gettext_ as _
from hub.web.bodies import BODY_MAX_BYTES
from hub.web.errors import error_response

FORM_LIMITS: dict[str, Any] = {"max_files": 0, "max_fields": 10, "max_part_size": BODY_MAX_BYTES}
# A seq or page number: 18 digits stays inside a 64-bit integer.
NUMBER_MAX_DIGITS = 18


class IdConvertor(Convertor[int]):
    """``{name:id}`` in a route: a row id. A number past the id columns' range becomes 0, which
    names no row (the route answers 404), instead of reaching the database, which would raise."""

    regex = "[0-9]{1,10}"

    def convert(self, value: str) -> int:
        number = int(value)
        return number if number <= MAX_ID else 0

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdConvertor())


def parse_number(raw: str | None) -> int | None:
    """A non-negative integer written in ASCII digits (a seq, a page), or None if malformed."""
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > NUMBER_MAX_DIGITS:
        return None
    return int(raw)


def parse_id(raw: object, *, text: bool = True) -> int | None:
    """A row id: a JSON number, or (``text``) ASCII digits as forms carry them; None if it is
    neither, or names no row (0, or past the id columns' range)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str) and text:
        raw = parse_number(raw)
    if isinstance(raw, int) and 0 < raw <= MAX_ID:
        return raw
    return None


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip()


async def read_json(request: Request) -> dict[str, Any] | Response:
    """The request's JSON object, or the refusal (415, 400; a body too large never gets here)."""
    if media_type(request) != "application/json":
        return error_response(request, 415, "json_only", "send application/json")
    try:
        data = json.loads(await request.body())
    except ValueError:
        return error_response(request, 400, "bad_json", "the body is not valid JSON")
    if not isinstance(data, dict):
        return error_response(request, 400, "bad_json", "send a JSON object")
    return data


async def read_form(request: Request) -> dict[str, str] | Response:
    """The request's form fields (text only), or the refusal (400)."""
    try:
        form = await request.form(**FORM_LIMITS)
    except Exception:
        return error_response(request, 400, "bad_form", _("The form could not be read."))
    return {k: v for k, v in form.items() if isinstance(v, str)}


class BadField(ValueError):
    pass


def submission_from(values: Mapping[str, object], *, form: bool = False) -> Submission:
    """A resident's submission from a JSON object or (``form``) a form's text fields, by the
    same rules. ``item_id``: an id names that item (a JSON number; a form's digits); present
    but empty (null, or the form's "") means the meeting in general; absent means the item
    being discussed. Raises BadField for an item_id that is not an id."""

    def text(key: str) -> str | None:
        value = values.get(key)
        return value if isinstance(value, str) else None

    raw_item = values.get("item_id")
    general = "item_id" in values and raw_item in (None, "")
    item_id = None
    if not general and raw_item is not None:
        item_id = parse_id(raw_item, text=form)
        if item_id is None:
            if isinstance(raw_item, int) and not isinstance(raw_item, bool):
                item_id = 0  # a number that names no row: the action says "no such item"
            else:
                raise BadField("item_id must be an integer")
    return Submission(
        kind=text("kind") or "",
        body=text("body") or "",
        position=text("position") or None,
        item_id=item_id,
        general=general,
        display_name=text("display_name"),
        area=text("area"),
        client_token=text("client_token") or "",
    )
