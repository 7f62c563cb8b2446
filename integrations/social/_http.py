"""What Mastodon and Bluesky share: an httpx call whose failures become the typed errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from integrations.social.models import AuthFailed, RateLimited, SourceUnavailable

# A poll that cannot connect in 5 s or read in 10 s is better retried later than awaited.
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def reset_from_iso(response: httpx.Response) -> datetime | None:
    """Mastodon's X-RateLimit-Reset: an ISO timestamp."""
    raw = response.headers.get("x-ratelimit-reset")
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def reset_from_epoch(response: httpx.Response) -> datetime | None:
    """Bluesky's ratelimit-reset: epoch seconds."""
    raw = response.headers.get("ratelimit-reset")
    try:
        return datetime.fromtimestamp(int(raw), UTC) if raw else None
    except ValueError:
        return None


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    reset: Callable[[httpx.Response], datetime | None],
    what: str,
    **kwargs: Any,
) -> httpx.Response:
    """The response when it is a 2xx or a 400/404/410 (the caller reads those); else raises."""
    return check(await transport(client, method, url, what=what, **kwargs), reset=reset, what=what)


async def transport(
    client: httpx.AsyncClient, method: str, url: str, *, what: str, **kwargs: Any
) -> httpx.Response:
    """The response whatever its status; a transport failure raises SourceUnavailable."""
    try:
        return await client.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise SourceUnavailable(f"{what} timed out") from exc
    except httpx.HTTPError as exc:
        raise SourceUnavailable(f"{what} unreachable: {type(exc).__name__}") from exc


def check(
    response: httpx.Response, *, reset: Callable[[httpx.Response], datetime | None], what: str
) -> httpx.Response:
    status = response.status_code
    if status == 429:
        raise RateLimited(reset(response))
    if status in (401, 403):
        raise AuthFailed(status, _reason(response))
    if status >= 500:
        raise SourceUnavailable(f"{what} answered {status}")
    if status >= 300 and status not in (400, 404, 410):
        raise SourceUnavailable(f"{what} answered {status}")
    return response


def json_of(response: httpx.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise SourceUnavailable(f"{what} sent malformed JSON") from exc


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or "refused"
    if isinstance(body, dict):
        for key in ("error_description", "message", "error", "detail", "title"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])
    return response.reason_phrase or "refused"
