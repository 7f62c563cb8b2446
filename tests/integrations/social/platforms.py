"""Stateful fakes of the three platforms over real HTTP (tests/integrations/social/fakes.py),
for the poller's tests: each holds the posts "on the platform" (built from the real samples),
answers searches the way the platform does (cursors, ``since_id``, ``start_time``, ``min_id``,
``since``, paging) and lets a test post, delete, or make the platform fail.

Ids are made from times as each platform makes them (X and Mastodon snowflakes), so a cursor
made from a time (the poller starting again from a meeting's start) means what it means there.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from tests.integrations.social.fakes import FakeApi, Seen, json_response, sample, serve

Fault = Callable[[Seen], Response | None]


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class Platform:
    api: FakeApi
    # Answers every request before the platform does when it returns a response (a 429, a 503).
    fault: Fault | None = None
    seq: int = field(default=0)

    def failing(self, seen: Seen) -> Response | None:
        return self.fault(seen) if self.fault is not None else None


class Mastodon(Platform):
    """An instance's tag timeline: ``min_id`` pages from the oldest newer status up, 40 a page
    newest first, with ``Link: rel="prev"`` to newer ones; ``any[]`` ORs tags."""

    PAGE = 40

    def __init__(self, api: FakeApi, host: str = "social.example") -> None:
        super().__init__(api)
        self.host = host
        self.statuses: list[dict[str, Any]] = []
        self.deleted: set[str] = set()

    def install(self, tags: list[str]) -> None:
        for tag in tags:
            self.api.on(f"/api/v1/timelines/tag/{tag.lower()}", self._timeline)

    def post(self, text: str, at: datetime, tags: list[str], author: str = "res") -> str:
        self.seq += 1
        status_id = str((_ms(at) << 16) + self.seq)
        status = copy.deepcopy(sample("mastodon-timelines-tag.json")[0])
        status.update(
            id=status_id,
            created_at=_iso(at),
            content=f"<p>{text}</p>",
            language="en",
            uri=f"https://{self.host}/users/{author}/statuses/{status_id}",
            url=f"https://{self.host}/@{author}/{status_id}",
            tags=[{"name": t, "url": f"https://{self.host}/tags/{t}"} for t in tags],
        )
        status["account"].update(acct=f"{author}@{self.host}", display_name=author.title())
        self.statuses.append(status)
        # A route per status id, for the poller's re-checks.
        self.api.on(f"/api/v1/statuses/{status_id}", self._status)
        return status_id

    def delete(self, status_id: str) -> None:
        self.deleted.add(status_id)

    def _timeline(self, seen: Seen) -> Response:
        if (failure := self.failing(seen)) is not None:
            return failure
        wanted = {seen.path.rsplit("/", 1)[-1].lower(), *(t.lower() for t in seen.params("any[]"))}
        min_id = int(seen.param("min_id") or 0)
        limit = int(seen.param("limit") or self.PAGE)
        matching = sorted(
            (
                s
                for s in self.statuses
                if s["id"] not in self.deleted
                and int(s["id"]) > min_id
                and wanted & {t["name"].lower() for t in s["tags"]}
            ),
            key=lambda s: int(s["id"]),
        )
        page = list(reversed(matching[:limit]))  # the oldest newer ones, newest first
        headers = {}
        if page:
            tag = seen.path.rsplit("/", 1)[-1]
            extra = "".join(f"&any[]={t}" for t in seen.params("any[]"))
            prev = (
                f"{self.api.base_url}/api/v1/timelines/tag/{tag}?limit={limit}"
                f"&min_id={page[0]['id']}{extra}"
            )
            headers["Link"] = f'<{prev}>; rel="prev"'
        return json_response(page, headers=headers)

    def _status(self, seen: Seen) -> Response:
        status_id = seen.path.rsplit("/", 1)[-1]
        found = [s for s in self.statuses if s["id"] == status_id and s["id"] not in self.deleted]
        if not found:
            return json_response({"error": "Record not found"}, 404)
        return json_response(found[0])


class Bluesky(Platform):
    """searchPosts (``since`` inclusive, latest first, ``cursor`` paging), getPosts (leaves
    deleted posts out) and the session calls."""

    PAGE = 100

    def __init__(self, api: FakeApi) -> None:
        super().__init__(api)
        self.posts: list[dict[str, Any]] = []
        self.deleted: set[str] = set()
        self.logins = 0
        api.on("/xrpc/com.atproto.server.createSession", self._login)
        api.on("/xrpc/app.bsky.feed.searchPosts", self._search)
        api.on("/xrpc/app.bsky.feed.getPosts", self._get_posts)

    def post(
        self, text: str, at: datetime, tags: list[str], handle: str = "res.bsky.social"
    ) -> str:
        self.seq += 1
        uri = f"at://did:plc:{handle.split('.')[0]}/app.bsky.feed.post/3k{self.seq:08d}"
        view = copy.deepcopy(sample("bluesky-getPostThread.json")["thread"]["post"])
        view.update(uri=uri, indexedAt=_iso(at), embed=None, labels=[])
        view["author"].update(handle=handle, displayName=handle.split(".")[0].title(), labels=[])
        view["record"] = {
            "$type": "app.bsky.feed.post",
            "createdAt": _iso(at),
            "text": text,
            "langs": ["en"],
            "facets": [
                {"features": [{"$type": "app.bsky.richtext.facet#tag", "tag": t}]} for t in tags
            ],
        }
        self.posts.append(view)
        return uri

    def delete(self, uri: str) -> None:
        self.deleted.add(uri)

    def _login(self, seen: Seen) -> Response:
        if (failure := self.failing(seen)) is not None:
            return failure
        self.logins += 1
        return json_response(
            {"accessJwt": f"access-{self.logins}", "refreshJwt": f"refresh-{self.logins}",
             "handle": "aberglas.gov.example", "did": "did:plc:council"}
        )  # fmt: skip

    def _search(self, seen: Seen) -> Response:
        if (failure := self.failing(seen)) is not None:
            return failure
        tag = (seen.param("q") or "").lstrip("#").lower()
        since = seen.param("since")
        matching = sorted(
            (
                p
                for p in self.posts
                if p["uri"] not in self.deleted
                and tag in {f["features"][0]["tag"].lower() for f in p["record"]["facets"]}
                and (since is None or _parse(p["indexedAt"]) >= _parse(since))
            ),
            key=lambda p: (p["indexedAt"], p["uri"]),
            reverse=True,
        )
        start = int(seen.param("cursor") or 0)
        limit = int(seen.param("limit") or self.PAGE)
        page = matching[start : start + limit]
        body: dict[str, Any] = {"posts": page}
        if start + limit < len(matching):
            body["cursor"] = str(start + limit)
        return json_response(body)

    def _get_posts(self, seen: Seen) -> Response:
        if (failure := self.failing(seen)) is not None:
            return failure
        wanted = seen.params("uris")
        return json_response(
            {
                "posts": [
                    p for p in self.posts if p["uri"] in wanted and p["uri"] not in self.deleted
                ]
            }
        )


class X(Platform):
    """Recent search: ``since_id`` or ``start_time``, newest first, ``next_token`` paging."""

    PAGE = 100
    SNOWFLAKE_EPOCH_MS = 1288834974657

    def __init__(self, api: FakeApi) -> None:
        super().__init__(api)
        self.tweets: list[dict[str, Any]] = []
        api.on("/2/tweets/search/recent", self._search)

    def post(self, text: str, at: datetime, tags: list[str], handle: str = "aberglas_res") -> str:
        self.seq += 1
        tweet_id = str(((_ms(at) - self.SNOWFLAKE_EPOCH_MS) << 22) + self.seq)
        self.tweets.append(
            {
                "id": tweet_id,
                "text": text,
                "author_id": "12",
                "created_at": _iso(at),
                "lang": "en",
                "edit_history_tweet_ids": [tweet_id],
                "entities": {"hashtags": [{"start": 0, "end": 1, "tag": t} for t in tags]},
                "_handle": handle,
            }
        )
        return tweet_id

    def _search(self, seen: Seen) -> Response:
        if (failure := self.failing(seen)) is not None:
            return failure
        query = (seen.param("query") or "").lower()
        wanted = {w.lstrip("(#").rstrip(")") for w in query.split() if w.startswith(("#", "(#"))}
        since_id = int(seen.param("since_id") or 0)
        start = seen.param("start_time")
        matching = sorted(
            (
                t
                for t in self.tweets
                if int(t["id"]) > since_id
                and (start is None or _parse(t["created_at"]) >= _parse(start))
                and wanted & {h["tag"].lower() for h in t["entities"]["hashtags"]}
            ),
            key=lambda t: int(t["id"]),
            reverse=True,
        )
        offset = int(seen.param("next_token") or 0)
        page = matching[offset : offset + self.PAGE]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if offset + self.PAGE < len(matching):
            meta["next_token"] = str(offset + self.PAGE)
        users = [{"id": "12", "username": t["_handle"], "name": "A Resident"} for t in page[:1]]
        data = [{k: v for k, v in t.items() if not k.startswith("_")} for t in page]
        return json_response({"data": data, "includes": {"users": users}, "meta": meta})


# The tags the fake Mastodon instance serves timelines for (the seeded meetings' tags).
TAGS = ["AberglasCouncil", "AberglasCabinet"]


@dataclass
class World:
    """The three platforms, faked on one loopback server with their real payloads."""

    api: FakeApi
    mastodon: Mastodon
    bluesky: Bluesky
    x: X


@contextlib.asynccontextmanager
async def platforms() -> AsyncIterator[World]:
    async with serve() as api:
        mastodon = Mastodon(api)
        mastodon.install(TAGS)
        yield World(api, mastodon, Bluesky(api), X(api))
