"""X (Twitter) recent search through tweepy's AsyncClient: the only module importing tweepy.

One request per poll covers every tag asked for (`(#a OR #b) -is:retweet`), because X bills
each post read: a post is read once and routed back to its tags by `entities.hashtags`.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from integrations.social.models import (
    AuthFailed,
    FetchResult,
    Media,
    MediaKind,
    Platform,
    Post,
    RateLimited,
    SourceUnavailable,
    normalise_tag,
    route_by_tag,
)

DEFAULT_API_BASE = "https://api.twitter.com"
# tweepy builds every URL as this host + the route; _RebasedSession swaps it for api_base.
_TWEEPY_HOST = "https://api.twitter.com"
# 100 is the most search/recent returns a page; 10 pages (1,000 posts) a poll bounds one
# poll's bill; more waiting is resumed by the next poll (the cursor carries the next_token).
PAGE_SIZE = 100
MAX_PAGES = 10
TIMEOUT_SECONDS = 10.0
# X ids are snowflakes: milliseconds since this epoch, shifted left 22 bits. Used only when a
# response lacks created_at (a proxy or an old capture asking for default fields).
_SNOWFLAKE_EPOCH_MS = 1288834974657
_MEDIA_KINDS: dict[str, MediaKind] = {"photo": "image", "video": "video", "animated_gif": "gif"}
SENSITIVE = "sensitive"

TWEET_FIELDS = [
    "created_at",
    "lang",
    "entities",
    "note_tweet",
    "edit_history_tweet_ids",
    "possibly_sensitive",
    "author_id",
]
USER_FIELDS = ["username", "name"]
MEDIA_FIELDS = ["type", "url", "preview_image_url", "alt_text"]
EXPANSIONS = ["author_id", "attachments.media_keys"]


class _RebasedSession:
    """What tweepy's AsyncClient needs of `self.session` (`request(method, url, ...)`, used as an
    async context manager), over a real aiohttp session, with tweepy's fixed host replaced by the
    configured base: the seam for a proxy or a local fake, without patching tweepy."""

    def __init__(self, session: Any, api_base: str) -> None:
        self._session = session
        self._base = api_base.rstrip("/")

    def request(self, method: str, url: Any, **kwargs: Any) -> Any:
        text = str(url)
        if text.startswith(_TWEEPY_HOST):
            text = self._base + text[len(_TWEEPY_HOST) :]
        return self._session.request(method, text, **kwargs)

    async def close(self) -> None:
        await self._session.close()


class XSource:
    platform: Platform = "x"

    def __init__(
        self,
        bearer_token: str,
        *,
        api_base: str = DEFAULT_API_BASE,
        start_time: datetime | None = None,
        timeout: float = TIMEOUT_SECONDS,
        max_pages: int = MAX_PAGES,
    ) -> None:
        from tweepy.asynchronous import AsyncClient

        _hide_bearer_in_tweepy_logs()
        self._client = AsyncClient(bearer_token, return_type=dict, wait_on_rate_limit=False)
        self._api_base = api_base
        self._timeout = timeout
        # Made at the first fetch: aiohttp wants its session created inside the event loop.
        self._session: _RebasedSession | None = None
        # The first poll of a meeting (no cursor yet) reads from here, not the last 7 days.
        self.start_time = start_time
        self.max_pages = max_pages

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(self, tags: Sequence[str], cursor: str | None) -> FetchResult:
        if not tags:
            return FetchResult((), cursor)
        if self._session is None:
            import aiohttp

            timeout = aiohttp.ClientTimeout(total=self._timeout)
            self._session = _RebasedSession(aiohttp.ClientSession(timeout=timeout), self._api_base)
            self._client.session = self._session
        since_id, token, newest = _parse_cursor(cursor)
        query = "(" + " OR ".join("#" + normalise_tag(t) for t in tags) + ") -is:retweet"
        posts: list[Post] = []
        for _ in range(self.max_pages):
            body = await self._page(query, since_id, token)
            posts.extend(_posts(body))
            meta = body.get("meta") or {}
            if newest is None and meta.get("newest_id"):
                newest = str(meta["newest_id"])
            token = meta.get("next_token")
            if not token:
                break
        if token:
            # Stopped at the budget: resume the same window next poll, so nothing is skipped.
            next_cursor = f"resume:{since_id or ''}:{newest or ''}:{token}"
            return FetchResult(tuple(posts), next_cursor, True, route_by_tag(posts, tags))
        return FetchResult(tuple(posts), newest or since_id, False, route_by_tag(posts, tags))

    async def _page(self, query: str, since_id: str | None, token: str | None) -> dict[str, Any]:
        import aiohttp
        import tweepy

        params: dict[str, Any] = {
            "max_results": PAGE_SIZE,
            "expansions": EXPANSIONS,
            "tweet_fields": TWEET_FIELDS,
            "user_fields": USER_FIELDS,
            "media_fields": MEDIA_FIELDS,
        }
        if since_id:
            params["since_id"] = since_id
        elif self.start_time is not None:
            params["start_time"] = self.start_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if token:
            params["next_token"] = token
        try:
            body = await self._client.search_recent_tweets(query, **params)
        except tweepy.TooManyRequests as exc:
            raise RateLimited(_epoch(exc.reset_time)) from exc
        except (tweepy.Unauthorized, tweepy.Forbidden) as exc:
            raise AuthFailed(exc.response.status, _reason(exc)) from exc
        except aiohttp.ContentTypeError as exc:
            # tweepy reads an error's body as JSON; a proxy's HTML error page lands here.
            if exc.status == 429:
                raise RateLimited(_epoch(_header_int(exc.headers, "x-rate-limit-reset"))) from exc
            if exc.status in (401, 403):
                raise AuthFailed(exc.status, exc.message) from exc
            raise SourceUnavailable(f"X answered {exc.status} without JSON") from exc
        except tweepy.HTTPException as exc:
            raise SourceUnavailable(f"X answered {exc.response.status}: {_reason(exc)}") from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SourceUnavailable(f"X unreachable: {type(exc).__name__}") from exc
        except json.JSONDecodeError as exc:
            raise SourceUnavailable("X sent malformed JSON") from exc
        if not isinstance(body, dict):
            raise SourceUnavailable("X sent JSON that is not an object")
        return body


def _parse_cursor(cursor: str | None) -> tuple[str | None, str | None, str | None]:
    """-> (since_id, next_token, newest id already seen in this window)."""
    if not cursor:
        return None, None, None
    if cursor.startswith("resume:"):
        _, since, newest, token = cursor.split(":", 3)
        return since or None, token or None, newest or None
    return cursor, None, None


def _epoch(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _header_int(headers: Any, name: str) -> int | None:
    raw = headers.get(name) if headers is not None else None
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _reason(exc: Any) -> str:
    messages = [str(m) for m in getattr(exc, "api_messages", [])]
    return "; ".join(messages) or str(getattr(exc.response, "reason", "")) or "refused"


def _posts(body: dict[str, Any]) -> list[Post]:
    includes = body.get("includes") or {}
    users = {u["id"]: u for u in includes.get("users") or [] if isinstance(u, dict)}
    media = {m["media_key"]: m for m in includes.get("media") or [] if isinstance(m, dict)}
    data = body.get("data") or []
    if not isinstance(data, list):
        raise SourceUnavailable("X sent `data` that is not a list")
    return [_post(t, users, media) for t in data if isinstance(t, dict)]


def _post(t: dict[str, Any], users: dict[str, Any], media: dict[str, Any]) -> Post:
    tweet_id = str(t["id"])
    note = t.get("note_tweet") or {}
    # Long posts (over 280 characters) arrive truncated in `text`, whole in `note_tweet`.
    raw_text = note.get("text") or t.get("text") or ""
    entities = note.get("entities") or t.get("entities") or {}
    user = users.get(t.get("author_id", "")) or {}
    handle = str(user.get("username", ""))
    url = (
        f"https://x.com/{handle}/status/{tweet_id}"
        if handle
        else f"https://x.com/i/status/{tweet_id}"
    )
    history = [str(i) for i in t.get("edit_history_tweet_ids") or []]
    replaces = None
    if tweet_id in history and history.index(tweet_id) > 0:
        replaces = history[history.index(tweet_id) - 1]
    attached = []
    for key in (t.get("attachments") or {}).get("media_keys") or []:
        m = media.get(key)
        if m is None:
            continue
        link = m.get("url") or m.get("preview_image_url")
        if link:
            kind = _MEDIA_KINDS.get(str(m.get("type")), "other")
            attached.append(Media(str(link), html.unescape(str(m.get("alt_text") or "")), kind))
    return Post(
        platform="x",
        external_id=tweet_id,
        uri=url,
        url=url,
        author_handle=handle,
        author_name=html.unescape(str(user.get("name", ""))),
        # X escapes &, < and > in text; unescape once (a literal "&amp;" typed by the author
        # arrives as "&amp;amp;" and must stay "&amp;").
        text=html.unescape(str(raw_text)),
        language=t.get("lang") or None,
        created_at=_created(t.get("created_at"), tweet_id),
        media=tuple(attached),
        content_warning=SENSITIVE if t.get("possibly_sensitive") else None,
        hashtags=tuple(
            normalise_tag(str(h.get("tag", ""))) for h in entities.get("hashtags") or []
        ),
        replaces=replaces,
    )


def _created(value: Any, tweet_id: str) -> datetime:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            pass
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + _SNOWFLAKE_EPOCH_MS) / 1000, UTC)


class _HideBearer(logging.Filter):
    """tweepy logs each request's headers at DEBUG, the bearer token among them: blanked, so
    no log line ever holds it, whatever level an operator turns on."""

    _TOKEN = re.compile(r"(Bearer\s+)[^'\"\s,}]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "Bearer" in record.msg:
            record.msg = self._TOKEN.sub(r"\1[hidden]", record.msg)
        return True


def _hide_bearer_in_tweepy_logs() -> None:
    log = logging.getLogger("tweepy.asynchronous.client")
    if not any(isinstance(f, _HideBearer) for f in log.filters):
        log.addFilter(_HideBearer())
