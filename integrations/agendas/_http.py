"""What every agenda source shares: one GET over httpx whose failures become typed errors
that say what happened in words (TLS, timeout, 5xx, an HTML page where XML or JSON was due),
with the body's size bounded."""

from __future__ import annotations

import json
import ssl
from typing import Any

import httpx

from integrations.agendas.models import (
    BadStatus,
    Malformed,
    NotTheFormat,
    Refused,
    SourceError,
    Unreachable,
)

# A source that cannot connect in 10 s or send a page in 30 s is retried later (a Modern.gov
# GetMeeting with a long agenda is ~200 KB and comes back in 1-3 s from a healthy site).
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# The largest body read: a year of a big council's meetings from GetMeetings is ~2 MB, a
# Legistar page of 1,000 events ~3 MB. More is refused unread beyond this point.
MAX_BODY = 25 * 1024 * 1024
USER_AGENT = "CouncilHub agenda import (+https://github.com/council-hub)"


def client(timeout: httpx.Timeout | float = TIMEOUT, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT}, **kwargs
    )


def _tls_reason(exc: BaseException) -> str | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return getattr(seen, "verify_message", None) or seen.reason or str(seen)
        seen = seen.__cause__ or seen.__context__
    text = str(exc)
    return text if "SSL" in text or "CERTIFICATE" in text.upper() else None


async def get(
    http: httpx.AsyncClient,
    url: str,
    *,
    what: str,
    expect: str,
    params: Any = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    """The body of a 2xx answer; ``expect`` ("XML", "JSON", "iCalendar") names what it must be,
    so an HTML page in its place is refused by name."""
    try:
        async with http.stream("GET", url, params=params, headers=headers) as response:
            if response.status_code >= 400:
                raise BadStatus(
                    f"{what} answered HTTP {response.status_code}"
                    f"{' ' + response.reason_phrase if response.reason_phrase else ''}",
                    response.status_code,
                )
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_BODY:
                    raise Refused(f"{what} sent more than {MAX_BODY // (1024 * 1024)} MB")
                chunks.append(chunk)
            body = b"".join(chunks)
            content_type = response.headers.get("content-type", "").lower()
    except httpx.TimeoutException as exc:
        raise Unreachable(f"{what} timed out ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        tls = _tls_reason(exc)
        if tls:
            raise Unreachable(f"{what}: TLS error ({tls})") from exc
        raise Unreachable(f"{what} unreachable ({type(exc).__name__}: {exc})") from exc
    if looks_like_html(body, content_type) and expect != "HTML":
        raise NotTheFormat(
            f"{what} sent an HTML page instead of {expect} (a bot challenge, a login or an "
            "error page?)"
        )
    return body


def looks_like_html(body: bytes, content_type: str) -> bool:
    head = body[:512].lstrip().lower()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:].lstrip()
    if head.startswith((b"<!doctype html", b"<html")):
        return True
    return "text/html" in content_type and not head.startswith((b"<?xml", b"{", b"["))


def parse_json(body: bytes, what: str) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Malformed(f"{what} sent malformed JSON ({exc})") from exc


def describe(exc: BaseException) -> str:
    """An exception as an operator reads it."""
    if isinstance(exc, SourceError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
