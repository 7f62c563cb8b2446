"""Answers a cache may keep: open-data exports and feeds, the API description.

Each carries a strong ``ETag`` (a hash of the exact bytes sent) and ``Cache-Control: public,
max-age=N``, so a CDN or a browser keeps it for N seconds and then revalidates: a request whose
``If-None-Match`` names the current ETag gets ``304 Not Modified`` with no body. The body is
computed either way (exports are a few queries); what the 304 saves is sending it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

# A live meeting's record changes with every published comment, and a takedown must leave
# caches soon: a minute, then revalidation (cheap with the ETag).
EXPORT_MAX_AGE_S = 60
# The description changes only when the hub is upgraded.
DESCRIPTION_MAX_AGE_S = 300


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def if_none_match_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison: any listed tag (W/ or not) equal to ours, or ``*``."""
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


def cacheable(
    request: Request,
    body: bytes | str,
    media_type: str,
    *,
    max_age: int = EXPORT_MAX_AGE_S,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The body with its ETag and Cache-Control, or a 304 if the caller's copy is current."""
    data = body.encode() if isinstance(body, str) else body
    etag = etag_of(data)
    sent = {"etag": etag, "cache-control": f"public, max-age={max_age}", **(headers or {})}
    if if_none_match_matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=sent)
    return Response(data, media_type=media_type, headers=sent)
