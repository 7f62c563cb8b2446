"""Rendering a page: every page gets the status labels in its language; staff pages also get
who is signed in and their CSRF token."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from hub import auth
from hub.auth import StaffIdentity
from hub.web import labels


def templates(request: Request) -> Jinja2Templates:
    found: Jinja2Templates = request.app.state.templates
    return found


def page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return templates(request).TemplateResponse(
        request, template, {"labels": labels.translated(), **context}, status_code=status
    )


def staff_page(
    request: Request,
    template: str,
    staff: StaffIdentity | None,
    context: dict[str, Any],
    status: int = 200,
) -> Response:
    return page(
        request, template, {"staff": staff, "csrf": auth.csrf_token(request), **context}, status
    )
