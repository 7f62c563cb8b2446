"""The public API's description: ``/api/openapi.json`` (OpenAPI 3.1, built from the app's own
route table by hub/web/openapi.py) and ``/api/docs``, the same description as a page, rendered
here with no script at all (so nothing from another site, and nothing the CSP must allow), in
English or Welsh."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hub.i18n import N_, current_language
from hub.i18n import gettext_ as _
from hub.web.caching import DESCRIPTION_MAX_AGE_S, cacheable
from hub.web.openapi import (
    CACHE_HEADERS,
    IF_NONE_MATCH,
    NOT_MODIFIED,
    TAGS,
    Body,
    Operation,
    describe,
    documented,
)
from hub.web.render import page

METHOD_ORDER = ("get", "post", "put", "patch", "delete")


def _version() -> str:
    try:
        return version("council-hub")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "0"


def description(request: Request) -> dict[str, Any]:
    """The app's description, built once from its route table."""
    state = request.app.state
    if getattr(state, "openapi", None) is None:
        state.openapi = describe(request.app.routes, _version())
    found: dict[str, Any] = state.openapi
    return found


@documented(
    Operation(
        tag=N_("This description"),
        summary=N_("This description (OpenAPI 3.1)"),
        description=N_("Every public API route, its parameters and the schema of each answer."),
        headers=IF_NONE_MATCH,
        responses={
            200: Body(N_("The description."), {"type": "object"}, headers=CACHE_HEADERS),
            304: NOT_MODIFIED,
        },
    )
)
async def openapi_json(request: Request) -> Response:
    body = json.dumps(description(request), ensure_ascii=False, indent=1)
    return cacheable(request, body, "application/json", max_age=DESCRIPTION_MAX_AGE_S)


# ---- the page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypePart:
    text: str
    anchor: str | None = None  # a shape's section on the page


def type_parts(schema: dict[str, Any]) -> list[TypePart]:
    """A schema as words for the page: "integer", "ContributionView or null", "list of
    ItemView"."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return [TypePart(name, f"shape-{name}")]
    if "const" in schema:
        return [TypePart(json.dumps(schema["const"]))]
    if "enum" in schema:
        return [TypePart(_("one of") + " " + ", ".join(json.dumps(v) for v in schema["enum"]))]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            parts: list[TypePart] = []
            for i, choice in enumerate(schema[key]):
                if i:
                    parts.append(TypePart(" " + _("or") + " "))
                parts += type_parts(choice)
            return parts
    kind = schema.get("type")
    if isinstance(kind, list):
        parts = []
        for i, one in enumerate(kind):
            if i:
                parts.append(TypePart(" " + _("or") + " "))
            parts += type_parts({**schema, "type": one})
        return parts
    if kind == "array":
        return [TypePart(_("list of") + " "), *type_parts(schema.get("items", {}))]
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return [TypePart(_("object of") + " "), *type_parts(schema["additionalProperties"])]
    words = {
        "string": _("text"),
        "integer": _("integer"),
        "boolean": _("true or false"),
        "number": _("number"),
        "object": _("object"),
        "null": _("null"),
    }
    return [TypePart(words.get(str(kind), _("any value")))]


def _limits(schema: dict[str, Any]) -> str:
    found = []
    if "minimum" in schema and "maximum" in schema:
        found.append(f"{schema['minimum']}–{schema['maximum']}")
    elif "minimum" in schema:
        found.append(f"≥ {schema['minimum']}")
    if "maxLength" in schema:
        found.append(_("up to %(n)d characters") % {"n": schema["maxLength"]})
    return "; ".join(found)


def _operations(desc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    by_tag: dict[str, list[dict[str, Any]]] = {tag: [] for tag in TAGS}
    for path, methods in desc["paths"].items():
        for method in METHOD_ORDER:
            op = methods.get(method)
            if op is None:
                continue
            params = [
                {
                    "name": p["name"],
                    "where": p["in"],
                    "required": p["required"],
                    "type": type_parts(p["schema"]),
                    "limits": _limits(p["schema"]),
                    "description": _(p["description"]) if p["description"] else "",
                }
                for p in op["parameters"]
            ]
            body = None
            if "requestBody" in op:
                schema = op["requestBody"]["content"]["application/json"]["schema"]
                body = [
                    {
                        "name": name,
                        "required": name in schema.get("required", []),
                        "type": type_parts(field),
                        "limits": _limits(field),
                    }
                    for name, field in schema["properties"].items()
                ]
            responses = []
            for status, answer in op["responses"].items():
                media, shape = "", None
                for found, content in answer.get("content", {}).items():
                    media, shape = found, type_parts(content["schema"])
                responses.append(
                    {
                        "status": status,
                        "description": _(answer["description"]),
                        "media": media,
                        "shape": shape,
                    }
                )
            by_tag.setdefault(op["tags"][0], []).append(
                {
                    "id": op["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": _(op["summary"]),
                    "description": _(op["description"]),
                    "params": params,
                    "body": body,
                    "responses": responses,
                }
            )
    return by_tag


def _shapes(desc: dict[str, Any]) -> list[dict[str, Any]]:
    shapes = []
    for name, schema in sorted(desc["components"]["schemas"].items()):
        fields = [
            {
                "name": field_name,
                "type": type_parts(field),
                "required": field_name in schema.get("required", []),
            }
            for field_name, field in schema.get("properties", {}).items()
        ]
        shapes.append({"name": name, "fields": fields, "choices": schema.get("oneOf")})
    for shape in shapes:
        if shape["choices"]:
            shape["choices"] = [type_parts(c) for c in shape["choices"]]
    return shapes


@documented(
    Operation(
        tag=N_("This description"),
        summary=N_("This description, as a page"),
        description=N_("The same description for people to read, in English or Welsh."),
        headers=IF_NONE_MATCH,
        responses={
            200: Body(N_("The page."), {"type": "string"}, "text/html", headers=CACHE_HEADERS),
            304: NOT_MODIFIED,
        },
    )
)
async def api_docs(request: Request) -> Response:
    desc = description(request)
    rendered = page(
        request,
        "api_docs.html",
        {
            "info": desc["info"],
            "tags": [(tag, _(tag)) for tag in TAGS],
            "operations": _operations(desc),
            "sockets": [
                {"path": path, "summary": _(s["summary"]), "description": _(s["description"])}
                for path, s in desc["x-websockets"].items()
            ],
            "shapes": _shapes(desc),
        },
    )
    # The page is the same for everyone in a language: cacheable, varying with how the
    # language is chosen (?lang= is in the URL; the cookie is not).
    return cacheable(
        request,
        bytes(rendered.body),
        "text/html",
        max_age=DESCRIPTION_MAX_AGE_S,
        headers={"vary": "Cookie", "content-language": current_language()},
    )
