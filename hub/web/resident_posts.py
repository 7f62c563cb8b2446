"""Residents' JSON submissions and votes, straight to their route around the middleware.

A comment posted during a meeting went through every layer a staff page needs: the security
headers middleware (``MutableHeaders`` over the answer), Starlette's error middleware, the
session middleware (parsing a cookie these routes never read), the language middleware, the
body limit, the exception middleware and then the router's search over ~70 routes: ~0.4 ms of
CPU per comment around ~0.6 ms of the comment's own work (issue 14). ``ResidentPostsFirst`` sits
outside all of that (hub/app.py) and takes ``POST /api/meetings/{id}/contributions`` and the
vote's ``POST``/``DELETE``, giving them what the full stack gives them, each pinned by
tests/web/test_resident_posts.py, and nothing else:

- the security headers, made once (hub/web/security.py), on every answer, refusals and the 500
  included;
- the request's language (hub/i18n.py ``choice_of``: ?lang=, the page's header, the cookie, the
  default), for the refusals' messages, and the cookie that remembers a ``?lang=`` choice;
- the body limit (hub/web/bodies.py): 413 on a large ``Content-Length`` before a byte is read,
  or as soon as a streamed body passes it;
- the route's own endpoint with the scope the router would give it (its ``@takes`` rules,
  hub/web/inputs.py, find it there), which does the origin check, JSON-only and the rest;
- an unexpected exception: the app's own JSON 500 (hub/web/errors.py), then raised on to
  uvicorn, which logs it, as Starlette's error middleware does. Starlette's ``HTTPException``
  gets the app's handler for it.

What they do not get: the session (they never read or change it, so the session middleware
added nothing to their answers), and the debug traceback page: in debug mode everything takes
the full stack. The plain-form fallback (``/meetings/{id}/contribute``) and
every other request go on to the app unchanged, as does a request the routes' paths match but
not their methods (the full stack's 405).
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Match, Route, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub import i18n
from hub.web.bodies import BODY_MAX_BYTES, ClientGone, read_bounded, replaying, too_large
from hub.web.errors import http_error, server_error
from hub.web.public.participation import create_contribution, vote_up, vote_withdraw
from hub.web.security import add_missing, security_headers

ENDPOINTS = (create_contribution, vote_up, vote_withdraw)
# Every path they answer starts so; anything else is passed on after this one comparison.
PREFIX = "/api/meetings/"
METHODS = ("POST", "DELETE")


class ResidentPostsFirst:
    def __init__(
        self, app: ASGIApp, router: Router, *, hsts: bool, default_language: str, secure: bool
    ) -> None:
        self.app = app
        self.router = router
        self.routes = [r for r in router.routes if isinstance(r, Route) and r.endpoint in ENDPOINTS]
        assert len(self.routes) == len(ENDPOINTS), "a resident's POST route is missing"
        self.security = security_headers(hsts)
        self.default_language = default_language
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in METHODS
            and scope["path"].startswith(PREFIX)
            and not scope["app"].debug
        ):
            for route in self.routes:
                match, child_scope = route.matches(scope)
                if match is Match.FULL:  # as the router would hand it over
                    scope["router"] = self.router
                    scope["route"] = route
                    scope.update(child_scope)
                    await self._answer(route, scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _answer(self, route: Route, scope: Scope, receive: Receive, send: Send) -> None:
        choice = i18n.choice_of(scope, self.default_language, self.secure)
        scope.setdefault("state", {})["lang_explicit"] = choice.explicit
        token = i18n.set_language(choice.lang)
        started = False

        async def send_(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            try:
                body = await read_bounded(scope, receive, BODY_MAX_BYTES)
            except ClientGone:
                return  # nobody to answer
            if body is None:
                response = too_large(Request(scope, receive, send_))
            else:
                request = Request(scope, replaying(body, receive), send_)
                try:
                    response = await route.endpoint(request)
                except HTTPException as exc:
                    response = await http_error(request, exc)
            add_missing(response.raw_headers, self.security)
            if choice.remember is not None:
                response.raw_headers.append((b"set-cookie", choice.remember.encode("latin-1")))
            await response(scope, receive, send_)
        except Exception as exc:
            if not started:
                # The app's own 500 (JSON, never a trace), with the same headers; then on to
                # uvicorn, which logs it with its trace, as Starlette's error middleware does.
                failed = await server_error(Request(scope), exc)
                add_missing(failed.raw_headers, self.security)
                await failed(scope, receive, send)
            raise
        finally:
            i18n.reset_language(token)
