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


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = BODY_MAX_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = declared_length(scope)
        if length is not None and length > self.max_bytes:
            await self.refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before its body was complete: nobody to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self.refuse(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body: Message | None = {"type": "http.request", "body": b"".join(chunks)}

        async def replay() -> Message:
            # The body once, then the server's own messages (a disconnect).
            nonlocal body
            if body is not None:
                message, body = body, None
                return message
            return await receive()

        await self.app(scope, replay, send)

    async def refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = error_response(request, 413, "too_large", _("That is too long to send."))
        await response(scope, receive, send)
