"""create_app(settings) -> Starlette: composition only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from hub import i18n, logs
from hub.auth import SESSION_LIFETIME
from hub.services import Services
from hub.settings import Settings
from hub.web.assets import Assets
from hub.web.bodies import BodyLimit
from hub.web.errors import http_error, server_error
from hub.web.fast import FastPaths
from hub.web.live import PublicLiveFirst
from hub.web.resident_posts import ResidentPostsFirst
from hub.web.routes import ROUTES
from hub.web.security import SecurityHeadersMiddleware
from hub.web.shared import SharedAnswers
from hub.web.templating import create_templates

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
SESSION_COOKIE = "council_hub_session"


@cache
def static_assets() -> Assets:
    """The static files, read and compressed once per process (every app shares them)."""
    return Assets(STATIC_DIR)


class Hub(Starlette):
    """Starlette with the security headers outermost. Starlette puts its ServerErrorMiddleware
    (which sends the 500 for an unhandled exception) outside every user middleware, so a
    headers middleware in the list never sees that response: here it wraps the whole stack.
    Outside even that, static files and /healthz are answered without any middleware
    (hub/web/fast.py: the same headers, made once), and residents' JSON submissions and votes
    go straight to their routes with what they need of it (hub/web/resident_posts.py)."""

    def __init__(self, *, settings: Settings, assets: Assets, **kwargs: Any) -> None:
        self.hsts = settings.https_only
        self.default_language = settings.default_language
        self.assets = assets
        super().__init__(**kwargs)

    def build_middleware_stack(self) -> ASGIApp:
        stack = SecurityHeadersMiddleware(super().build_middleware_stack(), hsts=self.hsts)
        # Outside everything: residents' sockets (PublicLiveFirst), then static files, health
        # and current shared pages (FastPaths), then residents' JSON submissions and votes
        # (ResidentPostsFirst); the rest takes the full stack.
        posts = ResidentPostsFirst(
            stack,
            self.router,
            hsts=self.hsts,
            default_language=self.default_language,
            secure=self.hsts,  # cookies are Secure under HTTPS_ONLY, as HSTS is sent
        )
        return PublicLiveFirst(FastPaths(posts, self.assets, hsts=self.hsts), self.router)


def create_app(settings: Settings) -> Starlette:
    assets = static_assets()
    templates = create_templates()
    # Templates name assets under their version (hub/web/assets.py): cached for a year.
    templates.env.globals["asset_base"] = assets.base

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.services = await Services.start(settings)
        try:
            yield
        finally:
            await app.state.services.close()

    app = Hub(
        settings=settings,
        assets=assets,
        debug=settings.debug,
        routes=[
            *ROUTES,
            Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
        ],
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie=SESSION_COOKIE,
                max_age=int(SESSION_LIFETIME.total_seconds()),
                same_site="lax",
                https_only=settings.https_only,
            ),
            Middleware(
                i18n.LanguageMiddleware,
                default=settings.default_language,
                secure=settings.https_only,
            ),
            # Innermost: its 413 is a page in the request's language, or JSON (errors.py).
            Middleware(BodyLimit),
        ],
        exception_handlers={HTTPException: http_error, 500: server_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.templates = templates
    # Pages and snapshots rendered once per meeting, seq and language (hub/web/shared.py).
    app.state.shared = SharedAnswers()
    return app


def app_from_env() -> Starlette:
    """Factory for ``uvicorn --factory hub.app:app_from_env`` and multi-worker serving."""
    settings = Settings.from_env()
    # The hub's own log lines (integrations backing off, the intake's totals, failures) beside
    # uvicorn's, in every worker process, and no client address in them (hub/logs.py).
    logs.configure(settings.access_log)
    return create_app(settings)
