"""Mastodon hashtag timelines over plain httpx: one instance per source object.

No token is needed for a public tag timeline. Status ids are per instance, so the same status
seen through two instances has two ids and one `uri`: dedupe on `uri` (models.dedupe).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import httpx

from integrations.social._http import TIMEOUT, json_of, reset_from_iso, send
from integrations.social.models import (
    FetchResult,
    Media,
    MediaKind,
    Platform,
    Post,
    SourceUnavailable,
    normalise_tag,
    route_by_tag,
)

# Mastodon returns at most 40 statuses a page; 10 pages bound one poll to 11 requests of an
# instance's 300 per 5 minutes. More waiting is fetched by the next poll from the cursor.
PAGE_SIZE = 40
MAX_PAGES = 10
SENSITIVE = "sensitive"
_KINDS: dict[str, MediaKind] = {"image": "image", "video": "video", "gifv": "gif", "audio": "audio"}


class MastodonSource:
    platform: Platform = "mastodon"

    def __init__(
        self,
        instance: str,
        *,
        timeout: httpx.Timeout | float = TIMEOUT,
        max_pages: int = MAX_PAGES,
    ) -> None:
        self.instance = instance.rstrip("/")
        self.max_pages = max_pages
        self._http = httpx.AsyncClient(timeout=timeout, headers={"Accept": "application/json"})

    async def aclose(self) -> None:
        await self._http.aclose()

    async def fetch(self, tags: Sequence[str], cursor: str | None) -> FetchResult:
        if not tags:
            return FetchResult((), cursor)
        names = [normalise_tag(t) for t in tags]
        url: str | None = f"{self.instance}/api/v1/timelines/tag/{quote(names[0], safe='')}"
        # One request covers every tag: `any[]` ORs the others with the first.
        first = [("limit", str(PAGE_SIZE))] + [("any[]", n) for n in names[1:]]
        if cursor:
            first.append(("min_id", cursor))
        params: list[tuple[str, str]] | None = first
        posts: list[Post] = []
        newest = cursor
        pages = 0
        while url is not None and pages < self.max_pages:
            response = await send(
                self._http, "GET", url, params=params, reset=reset_from_iso, what="Mastodon"
            )
            if response.status_code >= 300:
                raise SourceUnavailable(f"Mastodon answered {response.status_code}")
            body = json_of(response, "Mastodon")
            if not isinstance(body, list):
                raise SourceUnavailable("Mastodon sent JSON that is not a list")
            pages += 1
            page = [_post(s) for s in body if isinstance(s, dict)]
            posts.extend(page)
            for status in body:
                if isinstance(status, dict) and _newer(str(status.get("id", "")), newest):
                    newest = str(status["id"])
            # With min_id the instance pages towards newer statuses through rel="prev"; an
            # empty page (or none linked) means we are up to date.
            prev = response.links.get("prev", {}).get("url")
            url = prev if body and prev else None
            params = None  # the Link url carries its own query
        return FetchResult(tuple(posts), newest, url is not None, route_by_tag(posts, tags))

    async def status_exists(self, external_id: str) -> bool:
        """False when the instance says the status is gone (404/410): deleted at the source."""
        url = f"{self.instance}/api/v1/statuses/{quote(external_id, safe='')}"
        response = await send(self._http, "GET", url, reset=reset_from_iso, what="Mastodon")
        if response.status_code in (404, 410):
            return False
        if response.status_code >= 300:
            raise SourceUnavailable(f"Mastodon answered {response.status_code}")
        return True


def _newer(candidate: str, than: str | None) -> bool:
    # Snowflake-like ids of varying length: compare as numbers, by length then text.
    if not candidate.isdigit():
        return False
    return than is None or (len(candidate), candidate) > (len(than), than)


def _post(s: dict[str, Any]) -> Post:
    account = s.get("account") or {}
    spoiler = str(s.get("spoiler_text") or "").strip()
    media = []
    for m in s.get("media_attachments") or []:
        link = m.get("url") or m.get("remote_url") or m.get("preview_url")
        if link:
            kind = _KINDS.get(str(m.get("type")), "other")
            media.append(Media(str(link), str(m.get("description") or ""), kind))
    return Post(
        platform="mastodon",
        external_id=str(s["id"]),
        uri=str(s.get("uri") or s.get("url") or ""),
        url=str(s.get("url") or s.get("uri") or ""),
        author_handle=str(account.get("acct", "")),
        author_name=str(account.get("display_name") or ""),
        text=html_to_text(str(s.get("content") or "")),
        language=s.get("language") or None,
        created_at=_parse_time(s.get("created_at")),
        media=tuple(media),
        content_warning=spoiler or (SENSITIVE if s.get("sensitive") else None),
        hashtags=tuple(normalise_tag(str(t.get("name", ""))) for t in s.get("tags") or []),
    )


def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise SourceUnavailable("Mastodon sent a status without created_at")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SourceUnavailable(f"Mastodon sent an unreadable time {value!r}") from exc
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class _TextParser(HTMLParser):
    """Mastodon's status HTML as plain text: links, mentions and hashtags as their text,
    `invisible` spans (the URL's scheme and tail) dropped, `ellipsis` spans followed by "…",
    <br> and paragraphs as line breaks. Entities are decoded once (convert_charrefs)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        # A stack of the open spans' roles, so nested spans close correctly.
        self._spans: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")
        elif tag == "span":
            classes = (dict(attrs).get("class") or "").split()
            role = (
                "invisible"
                if "invisible" in classes
                else "ellipsis"
                if "ellipsis" in classes
                else ""
            )
            self._spans.append(role)
            if role == "invisible":
                self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._spans:
            role = self._spans.pop()
            if role == "invisible":
                self._hidden -= 1
            elif role == "ellipsis" and not self._hidden:
                self.parts.append("…")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(content: str) -> str:
    parser = _TextParser()
    parser.feed(content)
    parser.close()
    return "".join(parser.parts).strip()
