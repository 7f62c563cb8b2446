"""The public API's OpenAPI 3.1 description, built from the route table.

Each public API endpoint declares what it answers with ``@documented`` (beside ``@takes``,
which says what it reads); ``describe`` walks the route table and writes the description from
both: paths and path parameters from the routes themselves, query parameters and JSON bodies
from ``@takes`` (with their limits), and every response body's schema from the dataclass
that produces it (hub/shapes/*), so the description cannot drift from the JSON the routes
send. A public ``/api/`` route without ``@documented`` is listed by ``undocumented``, which
tests/web/test_openapi.py keeps empty; a query parameter declared but not documented fails
the build itself. Texts (summaries, descriptions) are English msgids marked with ``N_``: the
human-readable page (``/api/docs``) shows them translated.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

from starlette.convertors import StringConvertor
from starlette.routing import BaseRoute, Route, WebSocketRoute

from hub.actions import MAX_ID
from hub.events.schema import EVENT_TYPES, Audience
from hub.i18n import N_
from hub.shapes.public import Envelope, ErrorView
from hub.web.inputs import IdConvertor, takes_of

OPENAPI_VERSION = "3.1.0"
API_PREFIX = "/api/"
JSON = "application/json"
_PRIMITIVES: dict[object, str] = {str: "string", int: "integer", bool: "boolean", float: "number"}


@dataclass(frozen=True)
class Param:
    """A query parameter (or request header): what it means and the JSON schema of its value
    (query values are text; ``{"type": "integer"}`` says which text). A string parameter
    gets its ``maxLength`` from the route's ``@takes``."""

    description: str
    schema: Mapping[str, Any] = field(default_factory=lambda: {"type": "string"})
    required: bool = False


@dataclass(frozen=True)
class Body:
    """One response: what it means, its body (a shape dataclass, a JSON schema, or None for
    no body) and its media type; ``headers`` it always carries (name -> description)."""

    description: str
    shape: type | Mapping[str, Any] | None = None
    media_type: str = JSON
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    summary: str
    description: str
    responses: Mapping[int, Body]
    tag: str
    params: Mapping[str, Param] = field(default_factory=dict)
    headers: Mapping[str, Param] = field(default_factory=dict)
    # A JSON body: each field's schema beyond "text within its @takes limit"; ``required`` ones.
    body_fields: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    body_required: tuple[str, ...] = ()
    # Takes a JSON object even though it reads none of it (a vote: ``{}``, so that no
    # cross-site form can send it).
    json_body: bool = False
    # What describes the path's parameters, by name (else from the route's convertor).
    path: Mapping[str, Param] = field(default_factory=dict)


_DOCUMENTED: dict[object, Operation] = {}
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def documented(operation: Operation) -> Callable[[Endpoint], Endpoint]:
    """Declares what a public API endpoint answers (its part of /api/openapi.json)."""

    def declare(endpoint: Endpoint) -> Endpoint:
        _DOCUMENTED[endpoint] = operation
        return endpoint

    return declare


def operation_of(endpoint: object) -> Operation | None:
    return _DOCUMENTED.get(endpoint)


# ---- shared pieces ------------------------------------------------------------------------

ERROR = ErrorView
CACHE_HEADERS = {
    "ETag": N_("A strong validator of this body: send it back as If-None-Match."),
    "Cache-Control": N_("How long a cache (a CDN, a browser) may keep this answer."),
}
IF_NONE_MATCH = {
    "If-None-Match": Param(
        N_("The ETag of a copy you hold: the answer is 304, with no body, if it is current.")
    )
}
NOT_MODIFIED = Body(N_("Your copy is current (If-None-Match matched)."), None, "")
NOT_FOUND = Body(N_("No such meeting."), ERROR)
BAD_QUERY = Body(N_("A malformed or too long query parameter (bad_<name>)."), ERROR)


# ---- JSON Schema from the shapes ------------------------------------------------------------


class Schemas:
    """The description's components/schemas, filled as shapes are met."""

    def __init__(self) -> None:
        self.components: dict[str, dict[str, Any]] = {}

    def ref(self, name: str) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{name}"}

    def of(self, tp: Any) -> dict[str, Any]:
        """The JSON schema of a value of Python type ``tp`` as hub.shapes.serialise writes it."""
        if tp is Any:
            return {}
        if tp is Envelope:
            return self.envelope()
        if tp in _PRIMITIVES:
            return {"type": _PRIMITIVES[tp]}
        origin = get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            inner = self.of(args[0]) if len(args) == 1 else {"anyOf": [self.of(a) for a in args]}
            if len(args) == len(get_args(tp)):
                return inner
            if set(inner) == {"type"} and isinstance(inner["type"], str):
                return {"type": [inner["type"], "null"]}
            return {"anyOf": [inner, {"type": "null"}]}
        if origin in (list, tuple):
            return {"type": "array", "items": self.of(get_args(tp)[0])}
        if origin is dict:
            return {"type": "object", "additionalProperties": self.of(get_args(tp)[1])}
        if origin is typing.Literal:
            return {"enum": list(get_args(tp))}
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            return self.shape(tp)
        raise TypeError(f"no JSON schema for {tp!r}")

    def shape(self, cls: type, name: str | None = None) -> dict[str, Any]:
        """A reference to the component for a shape dataclass (added on first use)."""
        name = name or cls.__name__
        if name not in self.components:
            self.components[name] = {}  # placeholder: a shape may refer to itself
            hints = get_type_hints(cls)
            names = [f.name for f in dataclasses.fields(cls)]
            schema: dict[str, Any] = {
                "type": "object",
                "properties": {n: self.of(hints[n]) for n in names},
                "required": names,
                "additionalProperties": bool(getattr(cls, "OPEN", False)),
            }
            doc = (cls.__doc__ or "").strip()
            if doc and not doc.startswith(f"{cls.__name__}("):  # not dataclass's generated one
                schema["description"] = " ".join(doc.split())
            self.components[name] = schema
        return self.ref(name)

    def envelope(self) -> dict[str, Any]:
        """A public event's envelope: one schema per type, ``data`` from the event's class."""
        if "Envelope" not in self.components:
            choices = []
            for type_, cls in EVENT_TYPES.items():
                if cls.audience is not Audience.PUBLIC:
                    continue
                data = self.shape(cls, f"{cls.__name__}Data")
                name = f"{cls.__name__}Envelope"
                self.components[name] = {
                    "type": "object",
                    "properties": {
                        "seq": {"type": "integer", "minimum": 1},
                        "type": {"const": type_},
                        "at": {"type": "string"},
                        "data": data,
                    },
                    "required": ["seq", "type", "at", "data"],
                    "additionalProperties": False,
                }
                choices.append(self.ref(name))
            self.components["Envelope"] = {
                "description": " ".join((Envelope.__doc__ or "").split()),
                "oneOf": choices,
            }
        return self.ref("Envelope")

    def body(self, shape: type | Mapping[str, Any]) -> dict[str, Any]:
        return self.of(shape) if isinstance(shape, type) else dict(shape)


ID_PARAMS = {"meeting_id": N_("A meeting's id.")}

# ---- the description ------------------------------------------------------------------------


def _path_params(route: Route, op: Operation) -> list[dict[str, Any]]:
    params = []
    for name, convertor in route.param_convertors.items():
        given = op.path.get(name)
        if given is not None:
            description, schema = given.description, dict(given.schema)
        elif isinstance(convertor, IdConvertor):
            description = ID_PARAMS.get(name, N_("A row id."))
            schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        elif isinstance(convertor, StringConvertor):
            description, schema = "", {"type": "string", "minLength": 1}
        else:
            raise TypeError(f"{route.path}: describe {{{name}}} in the operation's path")
        params.append(
            {"name": name, "in": "path", "required": True, "description": description}
            | {"schema": schema}
        )
    return params


def _query_params(route: Route, op: Operation) -> list[dict[str, Any]]:
    declared = takes_of(route.endpoint).query
    missing = set(declared) - set(op.params)
    if missing:
        raise LookupError(f"{route.path}: query parameters without documentation: {missing}")
    params = []
    for name, param in op.params.items():
        schema = dict(param.schema)
        if schema.get("type") == "string" and name in declared:
            schema.setdefault("maxLength", declared[name])
        params.append(
            {"name": name, "in": "query", "required": param.required}
            | {"description": param.description, "schema": schema}
        )
    for name, param in op.headers.items():
        params.append(
            {"name": name, "in": "header", "required": param.required}
            | {"description": param.description, "schema": dict(param.schema)}
        )
    return params


def _request_body(route: Route, op: Operation) -> dict[str, Any] | None:
    declared = takes_of(route.endpoint).json
    if not declared and not op.json_body:
        return None
    properties = {}
    for name, limit in declared.items():
        properties[name] = dict(op.body_fields.get(name, {"type": "string", "maxLength": limit}))
    schema = {"type": "object", "properties": properties, "required": list(op.body_required)}
    return {"required": True, "content": {JSON: {"schema": schema}}}


def _responses(op: Operation, schemas: Schemas) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for status, body in sorted(op.responses.items()):
        answer: dict[str, Any] = {"description": body.description}
        if body.shape is not None:
            answer["content"] = {body.media_type: {"schema": schemas.body(body.shape)}}
        if body.headers:
            answer["headers"] = {
                name: {"description": text, "required": True, "schema": {"type": "string"}}
                for name, text in body.headers.items()
            }
        out[str(status)] = answer
    return out


def api_routes(routes: Iterable[BaseRoute]) -> list[BaseRoute]:
    """The public API's routes: under /api/ (the staff API is /staff/api/)."""
    return [r for r in routes if getattr(r, "path", "").startswith(API_PREFIX)]


def endpoints(routes: Iterable[BaseRoute]) -> list[tuple[str, str, Route]]:
    """(method, OpenAPI path, route) for every public API HTTP route."""
    found = []
    for route in api_routes(routes):
        if isinstance(route, Route):
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                found.append((method, openapi_path(route.path), route))
    return found


def openapi_path(path: str) -> str:
    """``/api/meetings/{meeting_id:id}`` as OpenAPI writes it: ``/api/meetings/{meeting_id}``."""
    out, rest = "", path
    while "{" in rest:
        head, _, tail = rest.partition("{")
        name, _, after = tail.partition("}")
        out += head + "{" + name.split(":")[0] + "}"
        rest = after
    return out + rest


def undocumented(routes: Iterable[BaseRoute]) -> list[str]:
    """Public API routes (and sockets) that the description would leave out."""
    missing = [
        f"{method} {route.path}"
        for method, _path, route in endpoints(routes)
        if operation_of(route.endpoint) is None
    ]
    missing += [
        f"WS {route.path}"
        for route in api_routes(routes)
        if isinstance(route, WebSocketRoute) and operation_of(route.endpoint) is None
    ]
    return missing


def describe(routes: Iterable[BaseRoute], version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of the public API routes among ``routes``."""
    routes = list(routes)
    schemas = Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for method, path, route in endpoints(routes):
        op = operation_of(route.endpoint)
        if op is None:
            continue  # undocumented(): a test keeps it empty
        body = _request_body(route, op)
        entry: dict[str, Any] = {
            "operationId": f"{method.lower()}_{route.endpoint.__name__}",
            "summary": op.summary,
            "description": op.description,
            "tags": [op.tag],
            "parameters": _path_params(route, op) + _query_params(route, op),
            "responses": _responses(op, schemas),
        }
        if body is not None:
            entry["requestBody"] = body
        paths.setdefault(path, {})[method.lower()] = entry
    sockets = {}
    for socket in api_routes(routes):
        if isinstance(socket, WebSocketRoute):
            op = operation_of(socket.endpoint)
            if op is not None:
                sockets[openapi_path(socket.path)] = {
                    "summary": op.summary,
                    "description": op.description,
                }
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Council Hub public API",
            "version": version,
            "description": N_(
                "Meetings, agendas, published comments and questions, and their events, for "
                "everyone. No personal data: nothing unpublished, no wards, no participant ids."
            ),
        },
        "tags": [{"name": name} for name in TAGS],
        "paths": paths,
        "components": {"schemas": schemas.components},
        # OpenAPI has no WebSockets: the live streams are listed here, and in docs/api.md.
        "x-websockets": sockets,
    }


# The groups the docs page shows, in order.
TAGS = (N_("Meetings"), N_("Open data"), N_("Participation"), N_("This description"))
