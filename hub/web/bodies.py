"""Request bodies, bounded before any route sees them: the first step of the input layer.

Every body the hub takes is small (a resident's submission, a staff form), so ``BodyLimit``
reads each request's body in front of the routes, counting the bytes of its ``http.request``
messages, and answers 413 the moment they pass ``max_bytes``, or at once when the
``Content-Length`` says they will, before a byte of the body is read. A 256 MB chunked POST
costs the server what it buffered up to the limit, not 256 MB. The routes then get the body as
one message, so ``request.body()``, ``request.form()`` and every reader after them inherit the
limit without knowing of it.

After the 413 uvicorn discards the rest of a refused body as it arrives (it holds none of it)
and keeps the connection: closing it while the client is still sending would reset it, and
most clients (httpx, fetch) read the answer only once they have sent everything, so they would
see a broken connection instead of the 413. A client that sends no body after a refused
``Content-Length`` is closed at uvicorn's keep-alive timeout, like any idle connection.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.i18n import gettext_ as _
from hub.web.errors import error_response

# The largest body any route needs: a resident's submission (up to 10,000 characters at the
# council's most), a staff form.
BODY_MAX_BYTES = 16 * 1024


def declared_length(scope: Scope) -> int | None:
    """The ``Content-Length`` the request declares, or None (chunked, or none sent). uvicorn
    has already refused a malformed one; anything but ASCII digits here is ignored, and the
    body is then counted as it arrives."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class ClientGone(Exception):
    """The client went away before its body was complete: nobody to answer."""


async def read_bounded(scope: Scope, receive: Receive, max_bytes: int) -> bytes | None:
    """The request's whole body, or None as soon as it is known to be over ``max_bytes``
    (its ``Content-Length``, before a byte is read; else the bytes counted so far). Raises
    ClientGone."""
    length = declared_length(scope)
    if length is not None and length > max_bytes:
        return None
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body once, then the server's own messages (a disconnect)."""
    pending: Message | None = {"type": "http.request", "body": body}

    async def replay() -> Message:
        nonlocal pending
        if pending is not None:
            message, pending = pending, None
            return message
        return await receive()

    return replay


def too_large(request: Request) -> Response:
    """The 413, in the request's language (a page, or JSON: errors.py)."""
    return error_response(request, 413, "too_large", _("That is too long to send."))


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = BODY_MAX_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            body = await read_bounded(scope, receive, self.max_bytes)
        except ClientGone:
            return
        if body is None:
            await too_large(Request(scope, receive))(scope, receive, send)
            return
        await self.app(scope, replaying(body, receive), send)
