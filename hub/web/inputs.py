"""The one input layer: what a route reads from a request, typed and bounded, before anything
else sees it. A route declares what it reads (``@takes``: each query parameter, form field and
JSON key, with the most characters its text may have) and reads it through here; it gets
nothing it did not declare, and inherits every rule:

- bodies of every kind: at most BODY_MAX_BYTES, refused before they are read whole
  (hub/web/bodies.py, in front of every route);
- text: control characters dropped (NUL among them, which PostgreSQL refuses) and lone
  surrogates replaced (``storable``), then at most its declared characters, else a 4xx, so a
  value never reaches the database longer than its column;
- ids in paths (``{name:id}``) and forms, numbers in query strings: ASCII digits only, bounded
  (``int()`` takes "１２" and ``str.isdigit()`` takes "²");
- JSON bodies: ``application/json`` only, an object (nesting too deep to parse is bad JSON);
- forms: text fields only, no files;
- a resident's submission: one reader for the JSON body and the plain form alike.

tests/web/test_hostile_input.py throws hostile values at every field every route declares.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from hub.actions import MAX_ID, storable
from hub.actions.councils import POLICY_NUMBERS
from hub.actions.participation import (
    AREA_MAX_CHARS,
    NAME_MAX_CHARS,
    TOKEN_MAX_CHARS,
    Submission,
)
from hub.i18n import gettext_ as _
from hub.web.errors import error_response

# Starlette's form limits; the body itself is bounded in front of the routes (bodies.py).
FORM_LIMITS: dict[str, Any] = {"max_files": 0, "max_fields": 10}
# A seq or page number: 18 digits stays inside a 64-bit integer.
NUMBER_MAX_DIGITS = 18
# A code chosen from a list (an action, a status, a kind): longer is no code of ours.
CODE_MAX_CHARS = 32

# A resident's submission, as JSON keys or form fields (the action checks each more closely).
SUBMISSION_FIELDS = {
    "kind": CODE_MAX_CHARS,
    "position": CODE_MAX_CHARS,
    "body": POLICY_NUMBERS["max_chars"][1],  # the most any council allows
    "item_id": NUMBER_MAX_DIGITS,
    "display_name": NAME_MAX_CHARS,
    "area": AREA_MAX_CHARS,
    "client_token": TOKEN_MAX_CHARS,
}


@dataclass(frozen=True)
class Takes:
    """What a route reads besides its path: for each query parameter, form field and JSON key,
    the most characters its text may have."""

    query: Mapping[str, int] = field(default_factory=dict)
    form: Mapping[str, int] = field(default_factory=dict)
    json: Mapping[str, int] = field(default_factory=dict)


NOTHING = Takes()
_DECLARED: dict[object, Takes] = {}
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def takes(
    *,
    query: Mapping[str, int] | None = None,
    form: Mapping[str, int] | None = None,
    json: Mapping[str, int] | None = None,
) -> Callable[[Endpoint], Endpoint]:
    """Declares what a route's endpoint reads; the readers below find it through the endpoint
    Starlette puts in the request's scope."""
    declared = Takes(dict(query or {}), dict(form or {}), dict(json or {}))

    def declare(endpoint: Endpoint) -> Endpoint:
        _DECLARED[endpoint] = declared
        return endpoint

    return declare


def takes_of(endpoint: object) -> Takes:
    """What an endpoint declared it reads (nothing, if it declared nothing)."""
    return _DECLARED.get(endpoint, NOTHING)


class BadField(ValueError):
    """A field the route cannot take; ``name`` says which."""

    def __init__(self, message: str, name: str = "") -> None:
        super().__init__(message)
        self.name = name


def _texts(items: Iterable[tuple[str, str]], limits: Mapping[str, int]) -> dict[str, str]:
    """The declared ones among ``items``, storable and within their limits (else BadField)."""
    found = {}
    for name, raw in items:
        if name not in limits:
            continue
        value = storable(raw)
        if len(value) > limits[name]:
            message = _("%(what)s is longer than %(limit)d characters")
            raise BadField(message % {"what": name, "limit": limits[name]}, name)
        found[name] = value
    return found


def _declared(conn: HTTPConnection) -> Takes:
    return takes_of(conn.scope.get("endpoint"))


def query_of(conn: HTTPConnection) -> dict[str, str]:
    """The route's declared query parameters (a socket's too). Raises BadField."""
    return _texts(conn.query_params.items(), _declared(conn).query)


def read_query(request: Request) -> dict[str, str] | Response:
    """The route's declared query parameters, or the refusal (400 ``bad_<name>``)."""
    try:
        return query_of(request)
    except BadField as exc:
        return error_response(request, 400, f"bad_{exc.name}", str(exc))


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
    """The route's declared keys of the request's JSON object, their text storable and within
    its limits; or the refusal (415, 400, 422; a body too large never gets here)."""
    if media_type(request) != "application/json":
        return error_response(request, 415, "json_only", "send application/json")
    try:
        data = json.loads(await request.body())
    except (ValueError, RecursionError):
        # RecursionError: nesting thousands deep, which 16 KiB of brackets reaches.
        return error_response(request, 400, "bad_json", "the body is not valid JSON")
    if not isinstance(data, dict):
        return error_response(request, 400, "bad_json", "send a JSON object")
    limits = _declared(request).json
    values = {k: v for k, v in data.items() if k in limits}
    try:
        texts = _texts(((k, v) for k, v in values.items() if isinstance(v, str)), limits)
    except BadField as exc:
        return error_response(request, 422, "invalid", str(exc))
    return {**values, **texts}


async def read_form(request: Request) -> dict[str, str] | Response:
    """The route's declared fields of the request's form, storable and within their limits;
    or the refusal (400, 422)."""
    try:
        form = await request.form(**FORM_LIMITS)
    except Exception:  # python-multipart and Starlette have many ways of saying "malformed"
        return error_response(request, 400, "bad_form", _("The form could not be read."))
    fields = ((k, v) for k, v in form.items() if isinstance(v, str))
    try:
        return _texts(fields, _declared(request).form)
    except BadField as exc:
        return error_response(request, 422, "invalid", str(exc))


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
                raise BadField("item_id must be an integer", "item_id")
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
