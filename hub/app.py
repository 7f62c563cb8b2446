"""create_app(settings) -> Starlette: composition only."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from hub import i18n
from hub.services import Services
from hub.settings import Settings
from hub.web.bodies import BodyLimit
from hub.web.errors import http_error, server_error
from hub.web.routes import ROUTES
from hub.web.security import SecurityHeadersMiddleware
from hub.web.templating import create_templates

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
SESSION_COOKIE = "council_hub_session"
SESSION_MAX_AGE_S = 12 * 3600  # one long meeting day


def create_app(settings: Settings) -> Starlette:
    templates = create_templates()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.services = await Services.start(settings)
        try:
            yield
        finally:
            await app.state.services.close()

    app = Starlette(
        debug=settings.debug,
        routes=[
            *ROUTES,
            Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
        ],
        middleware=[
            Middleware(SecurityHeadersMiddleware, hsts=settings.https_only),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie=SESSION_COOKIE,
                max_age=SESSION_MAX_AGE_S,
                same_site="lax",
                https_only=settings.https_only,
            ),
            Middleware(i18n.LanguageMiddleware, default=settings.default_language),
            # Innermost: its 413 is a page in the request's language, or JSON (errors.py).
            Middleware(BodyLimit),
        ],
        exception_handlers={HTTPException: http_error, 500: server_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.templates = templates
    return app


def app_from_env() -> Starlette:
    """Factory for ``uvicorn --factory hub.app:app_from_env`` and multi-worker serving."""
    # The hub's own log lines (integrations backing off, the intake's totals, failures) beside
    # uvicorn's, in every worker process. uvicorn's loggers keep their own handlers.
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    return create_app(Settings.from_env())
