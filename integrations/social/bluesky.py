"""Bluesky search over plain httpx, logged in with an app password.

The session is created once (`createSession`) and refreshed with `refreshSession` when the
access token expires (about every two hours), never re-created per poll: createSession is
rate-limited far more tightly (30 per 5 minutes per account) than search.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from integrations.social._http import TIMEOUT, check, json_of, reset_from_epoch, transport
from integrations.social.models import (
    AuthFailed,
    FetchResult,
    Media,
    Platform,
    Post,
    SourceUnavailable,
    dedupe,
    normalise_tag,
    route_by_tag,
)

DEFAULT_SERVICE = "https://bsky.social"
# searchPosts returns at most 100 a page; getPosts takes at most 25 uris a call.
PAGE_SIZE = 100
MAX_PAGES = 10
GET_POSTS_BATCH = 25
NO_UNAUTHENTICATED = "!no-unauthenticated"


class BlueskySource:
    platform: Platform = "bluesky"

    def __init__(
        self,
        handle: str,
        app_password: str,
        *,
        service: str = DEFAULT_SERVICE,
        timeout: httpx.Timeout | float = TIMEOUT,
        max_pages: int = MAX_PAGES,
    ) -> None:
        self.service = service.rstrip("/")
        self.max_pages = max_pages
        self._handle = handle
        self._password = app_password
        self._access: str | None = None
        self._refresh: str | None = None
        self._http = httpx.AsyncClient(timeout=timeout, headers={"Accept": "application/json"})

    async def aclose(self) -> None:
        await self._http.aclose()

    async def fetch(self, tags: Sequence[str], cursor: str | None) -> FetchResult:
        """`cursor` is the newest sort time seen (ISO); search asks `since` it (inclusive, so
        the boundary post comes again: callers dedupe on uri)."""
        posts: list[Post] = []
        newest = cursor
        more = False
        for tag in tags:
            page_cursor: str | None = None
            for _ in range(self.max_pages):
                params = {"q": "#" + normalise_tag(tag), "sort": "latest", "limit": str(PAGE_SIZE)}
                if cursor:
                    params["since"] = cursor
                if page_cursor:
                    params["cursor"] = page_cursor
                body = await self._get("app.bsky.feed.searchPosts", params)
                views = body.get("posts")
                if not isinstance(views, list):
                    raise SourceUnavailable("Bluesky sent a search without `posts`")
                for view in views:
                    if isinstance(view, dict):
                        posts.append(_post(view))
                        sort_at = _sort_at(view)
                        if newest is None or sort_at > newest:
                            newest = sort_at
                page_cursor = body.get("cursor") if views else None
                if not page_cursor:
                    break
            else:
                # The page budget ran out with more waiting: the cursor moves on regardless
                # (a burst past 1,000 posts a tag a poll is not a council meeting's).
                more = True
        unique = dedupe(posts)
        return FetchResult(tuple(unique), newest, more, route_by_tag(unique, tags))

    async def posts_exist(self, uris: Sequence[str]) -> dict[str, bool]:
        """Each at:// uri -> whether it is still there (getPosts leaves deleted ones out)."""
        found: set[str] = set()
        for start in range(0, len(uris), GET_POSTS_BATCH):
            batch = list(uris[start : start + GET_POSTS_BATCH])
            body = await self._get("app.bsky.feed.getPosts", [("uris", u) for u in batch])
            views = body.get("posts")
            if not isinstance(views, list):
                raise SourceUnavailable("Bluesky sent getPosts without `posts`")
            found.update(str(v.get("uri")) for v in views if isinstance(v, dict))
        return {uri: uri in found for uri in uris}

    async def _get(self, method: str, params: Any) -> dict[str, Any]:
        if self._access is None:
            await self._create_session()
        url = f"{self.service}/xrpc/{method}"
        response = await transport(
            self._http,
            "GET",
            url,
            params=params,
            headers=self._bearer(self._access),
            what="Bluesky",
        )
        if _expired(response):
            await self._refresh_session()
            response = await transport(
                self._http,
                "GET",
                url,
                params=params,
                headers=self._bearer(self._access),
                what="Bluesky",
            )
        check(response, reset=reset_from_epoch, what="Bluesky")
        if response.status_code >= 300:
            raise SourceUnavailable(f"Bluesky answered {response.status_code}: {_error(response)}")
        body = json_of(response, "Bluesky")
        if not isinstance(body, dict):
            raise SourceUnavailable("Bluesky sent JSON that is not an object")
        return body

    async def _create_session(self) -> None:
        await self._session_call(
            "com.atproto.server.createSession",
            json={"identifier": self._handle, "password": self._password},
        )

    async def _refresh_session(self) -> None:
        if self._refresh is None:
            await self._create_session()
            return
        response = await transport(
            self._http,
            "POST",
            f"{self.service}/xrpc/com.atproto.server.refreshSession",
            headers=self._bearer(self._refresh),
            what="Bluesky",
        )
        if _expired(response):
            # The refresh token itself has expired (about two months): log in again.
            await self._create_session()
            return
        self._keep(response)

    async def _session_call(self, method: str, **kwargs: Any) -> None:
        url = f"{self.service}/xrpc/{method}"
        self._keep(await transport(self._http, "POST", url, what="Bluesky", **kwargs))

    def _keep(self, response: httpx.Response) -> None:
        if response.status_code == 400 and _error(response) == "AuthenticationRequired":
            raise AuthFailed(401, "Bluesky refused the handle or app password")
        check(response, reset=reset_from_epoch, what="Bluesky")
        if response.status_code >= 300:
            raise AuthFailed(response.status_code, f"Bluesky login refused: {_error(response)}")
        body = json_of(response, "Bluesky")
        if not isinstance(body, dict) or not body.get("accessJwt") or not body.get("refreshJwt"):
            raise SourceUnavailable("Bluesky sent a session without tokens")
        self._access = str(body["accessJwt"])
        self._refresh = str(body["refreshJwt"])

    @staticmethod
    def _bearer(token: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


def _error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("error", "")) if isinstance(body, dict) else ""


def _expired(response: httpx.Response) -> bool:
    return response.status_code in (400, 401) and _error(response) == "ExpiredToken"


def _sort_at(view: dict[str, Any]) -> str:
    """The time search orders by: the earlier of createdAt and indexedAt (a post can claim
    any createdAt), as UTC ISO text that compares in time order."""
    record = view.get("record") or {}
    times = [_time(record.get("createdAt")), _time(view.get("indexedAt"))]
    known = [t for t in times if t is not None]
    moment = min(known) if known else datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _post(view: dict[str, Any]) -> Post:
    uri = str(view.get("uri", ""))
    author = view.get("author") or {}
    record = view.get("record") or {}
    handle = str(author.get("handle", ""))
    rkey = uri.rsplit("/", 1)[-1]
    created = _time(record.get("createdAt")) or _time(view.get("indexedAt"))
    if created is None:
        raise SourceUnavailable(f"Bluesky sent a post without a time: {uri}")
    author_labels = {str(x.get("val")) for x in author.get("labels") or [] if isinstance(x, dict)}
    self_labels = (record.get("labels") or {}).get("values") or []
    warnings = [str(x.get("val")) for x in self_labels if isinstance(x, dict)]
    warnings += [
        str(x.get("val"))
        for x in view.get("labels") or []
        if isinstance(x, dict) and not str(x.get("val", "")).startswith("!")
    ]
    langs = record.get("langs") or []
    return Post(
        platform="bluesky",
        external_id=uri,
        uri=uri,
        url=f"https://bsky.app/profile/{handle or author.get('did', '')}/post/{rkey}",
        author_handle=handle,
        author_name=str(author.get("displayName") or ""),
        text=str(record.get("text") or ""),
        language=str(langs[0]) if langs else None,
        created_at=created,
        media=tuple(_media(view.get("embed") or {})),
        content_warning=", ".join(dict.fromkeys(warnings)) or None,
        hashtags=_hashtags(record),
        public_ok=NO_UNAUTHENTICATED not in author_labels,
    )


def _media(embed: dict[str, Any]) -> list[Media]:
    kind = str(embed.get("$type", ""))
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        return _media(embed.get("media") or {})
    if kind.startswith("app.bsky.embed.images"):
        return [
            Media(str(i.get("fullsize") or i.get("thumb")), str(i.get("alt") or ""), "image")
            for i in embed.get("images") or []
            if isinstance(i, dict) and (i.get("fullsize") or i.get("thumb"))
        ]
    if kind.startswith("app.bsky.embed.video") and embed.get("playlist"):
        return [Media(str(embed["playlist"]), str(embed.get("alt") or ""), "video")]
    return []


def _hashtags(record: dict[str, Any]) -> tuple[str, ...]:
    tags = [str(t) for t in record.get("tags") or []]
    for facet in record.get("facets") or []:
        for feature in facet.get("features") or [] if isinstance(facet, dict) else []:
            if isinstance(feature, dict) and feature.get("$type") == "app.bsky.richtext.facet#tag":
                tags.append(str(feature.get("tag", "")))
    return tuple(dict.fromkeys(normalise_tag(t) for t in tags if t))
