"""Security headers on every HTTP response: a strict Content-Security-Policy (no inline
script or style, nothing from other origins), no framing, no MIME sniffing, no referrer leaks;
and staff responses that nothing stores (``Cache-Control: no-store``): the queue, the console
and the audit log hold residents' unpublished words and pseudonyms, which must not outlive the
session in a shared computer's cache or a proxy.

hub/app.py puts this middleware outside Starlette's own error handling, so the server's 500s
carry the same headers."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        # 'self' covers ws:// and wss:// to the same host in CSP Level 3 browsers.
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


def csp_with_frames(origin: str) -> str:
    """The CSP of a page embedding the meeting's webcast: the same, with frames from that one
    player's origin (hub/webcast.py gives only https origins of allowed players)."""
    return f"{CSP}; frame-src {origin}"


def csp_with_images(origin: str) -> str:
    """The CSP of a council's page showing its logo from the council's own site: the same,
    with images from that one https origin (hub/actions/council_profile.py checks it)."""
    return CSP.replace("img-src 'self' data:", f"img-src 'self' data: {origin}")


HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


STAFF_PREFIX = "/staff/"
HSTS = ("strict-transport-security", "max-age=31536000")


def security_headers(hsts: bool) -> list[tuple[bytes, bytes]]:
    """The headers above as raw ASGI pairs, made once by the paths that answer around this
    middleware (hub/web/fast.py, hub/web/resident_posts.py)."""
    out = [(k.encode(), v.encode()) for k, v in HEADERS.items()]
    if hsts:
        out.append((HSTS[0].encode(), HSTS[1].encode()))
    return out


def add_missing(
    raw_headers: list[tuple[bytes, bytes]], security: list[tuple[bytes, bytes]]
) -> None:
    """``security`` appended to a response's raw headers, except those it already sets (a page
    with its own CSP): what the middleware's ``setdefault`` does, without ``MutableHeaders``."""
    present = {k for k, _ in raw_headers}
    raw_headers += [h for h in security if h[0] not in present]


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        staff = scope["path"].startswith(STAFF_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if self.hsts:
                    headers.setdefault(*HSTS)
                if staff:
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
