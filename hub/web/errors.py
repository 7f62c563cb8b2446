"""The one error renderer: every refusal a route gives goes through ``error_response``.

The rule: JSON (``{"error": code, "message": ...}``) for the APIs (``/api/``, ``/staff/api/``)
and for scripts that ask for it (``Accept: application/json``); otherwise the HTML error page.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route

from hub.actions import ActionError
from hub.i18n import N_
from hub.i18n import gettext_ as _
from hub.web.render import page

API_PREFIXES = ("/api/", "/staff/api/")
# Starlette's own refusals carry the HTTP reason phrase ("Not Found"), which is English: people
# read these instead, in the page's language.
ROUTING_MESSAGES = {
    404: N_("There is no page at this address. Check it, or start from the list of meetings."),
    405: N_("This address does not take that kind of request."),
}


def wants_json(conn: HTTPConnection) -> bool:
    return conn.url.path.startswith(API_PREFIXES) or "application/json" in conn.headers.get(
        "accept", ""
    )


def json_error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status)


def error_response(request: Request, status: int, code: str, message: str) -> Response:
    if wants_json(request):
        return json_error(status, code, message)
    return page(request, "error.html", {"status": status, "message": message}, status)


def refusal(request: Request, exc: ActionError) -> Response:
    """An action's refusal; the ones worth retrying later say when (``Retry-After``)."""
    response = error_response(request, exc.status, exc.code, exc.message)
    if exc.retry_after_s is not None:
        response.headers["retry-after"] = str(exc.retry_after_s)
    return response


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (unknown path, wrong method)."""
    assert isinstance(exc, HTTPException)
    message = exc.detail
    known = ROUTING_MESSAGES.get(exc.status_code)
    if known is not None and message == HTTPStatus(exc.status_code).phrase:
        message = _(known)
    response = error_response(request, exc.status_code, "http_error", message)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    if exc.status_code == 405:
        # Starlette names the methods of the first route that matched the path only; a path
        # served by several routes (a vote: POST and DELETE) allows all of theirs (RFC 9110).
        response.headers["allow"] = ", ".join(allowed_methods(request))
    return response


def allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, Route) and route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods or set()
    return sorted(methods)


async def server_error(request: Request, exc: Exception) -> Response:
    return json_error(500, "server_error", "something went wrong")
