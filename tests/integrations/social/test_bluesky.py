"""BlueskySource over real httpx against a local fake of a Bluesky service (PDS/AppView)."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.responses import Response

from integrations.social.bluesky import BlueskySource
from integrations.social.models import AuthFailed, RateLimited, SourceUnavailable
from tests.integrations.social.fakes import (
    FakeApi,
    Seen,
    json_response,
    malformed,
    sample,
    serve,
    slow,
)

CREATE = "/xrpc/com.atproto.server.createSession"
REFRESH = "/xrpc/com.atproto.server.refreshSession"
SEARCH = "/xrpc/app.bsky.feed.searchPosts"
GET_POSTS = "/xrpc/app.bsky.feed.getPosts"


def session(n: int) -> Response:
    return json_response(
        {
            "accessJwt": f"access-{n}",
            "refreshJwt": f"refresh-{n}",
            "handle": "aberglas.gov.example",
            "did": "did:plc:council",
        }
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeApi]:
    async with serve() as api:
        api.answer(CREATE, session(1))
        yield api


def source(fake: FakeApi, **kwargs: Any) -> BlueskySource:
    return BlueskySource("aberglas.gov.example", "app-pass-word", service=fake.base_url, **kwargs)


def view(rkey: str, text: str, created: str, **author: Any) -> dict[str, Any]:
    """A postView built from the real sample with our own key, text and time."""
    base: dict[str, Any] = copy.deepcopy(sample("bluesky-getPostThread.json")["thread"]["post"])
    base["uri"] = f"at://did:plc:res/app.bsky.feed.post/{rkey}"
    base["record"] = {
        "$type": "app.bsky.feed.post",
        "createdAt": created,
        "text": text,
        "langs": ["cy"],
        "facets": [
            {"features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "AberglasCouncil"}]}
        ],
    }
    base["indexedAt"] = created
    base["embed"] = None
    base["author"].update(author)
    return base


async def test_the_sample_maps_and_the_session_is_made_once(fake: FakeApi) -> None:
    thread_post = sample("bluesky-getPostThread.json")["thread"]["post"]
    fake.answer(SEARCH, json_response({"posts": [thread_post]}), json_response({"posts": []}))
    bsky = source(fake)
    try:
        first = await bsky.fetch(["#AberglasCouncil"], None)
        second = await bsky.fetch(["#AberglasCouncil"], first.cursor)
    finally:
        await bsky.aclose()
    (post,) = first.posts
    assert post.uri == "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kaheyt6vpc22"
    assert post.url == "https://bsky.app/profile/test.marshal.dev/post/3kaheyt6vpc22"
    assert post.author_handle == "test.marshal.dev" and post.author_name == "Python SDK"
    assert post.created_at == datetime(2023, 9, 28, 12, 49, 36, 735000, tzinfo=UTC)
    assert post.language == "en" and post.public_ok is True
    (media,) = post.media
    assert media.kind == "image" and media.alt == ""
    assert media.url.startswith("https://cdn.bsky.app/img/feed_fullsize/")
    assert first.cursor == "2023-09-28T12:49:36.735Z" and second.posts == ()
    assert len(fake.to(CREATE)) == 1
    assert json.loads(fake.to(CREATE)[0].body) == {
        "identifier": "aberglas.gov.example",
        "password": "app-pass-word",
    }
    one, two = fake.to(SEARCH)
    assert one.param("q") == "#aberglascouncil" and one.param("sort") == "latest"
    assert one.param("since") is None and two.param("since") == "2023-09-28T12:49:36.735Z"
    assert one.headers["authorization"] == two.headers["authorization"] == "Bearer access-1"


async def test_pages_with_the_cursor(fake: FakeApi) -> None:
    fake.answer(
        SEARCH,
        json_response(
            {
                "posts": [
                    view("b", "two", "2026-12-03T18:02:00.000Z"),
                    view("a", "one", "2026-12-03T18:01:00.000Z"),
                ],
                "cursor": "p2",
            }
        ),
        json_response({"posts": [view("z", "zero", "2026-12-03T18:00:30.000Z")]}),
    )
    bsky = source(fake)
    try:
        result = await bsky.fetch(["AberglasCouncil"], "2026-12-03T18:00:00.000Z")
    finally:
        await bsky.aclose()
    assert [r.param("cursor") for r in fake.to(SEARCH)] == [None, "p2"]
    assert all(r.param("since") == "2026-12-03T18:00:00.000Z" for r in fake.to(SEARCH))
    assert [p.text for p in result.posts] == ["two", "one", "zero"]
    assert result.posts[0].hashtags == ("aberglascouncil",)
    assert result.cursor == "2026-12-03T18:02:00.000Z"
    assert result.by_tag == {"AberglasCouncil": tuple(p.uri for p in result.posts)}


async def test_no_unauthenticated_authors_are_never_public(fake: FakeApi) -> None:
    hidden = view(
        "h",
        "quiet",
        "2026-12-03T18:01:00.000Z",
        labels=[
            {
                "src": "did:plc:res",
                "val": "!no-unauthenticated",
                "uri": "at://did:plc:res/app.bsky.actor.profile/self",
                "cts": "2024-01-01T00:00:00.000Z",
            }
        ],
    )
    fake.answer(SEARCH, json_response({"posts": [hidden, view("o", "open", "2026-12-03T18:00Z")]}))
    bsky = source(fake)
    try:
        quiet, open_ = (await bsky.fetch(["AberglasCouncil"], None)).posts
    finally:
        await bsky.aclose()
    assert quiet.public_ok is False and open_.public_ok is True


async def test_expired_access_token_is_refreshed_not_recreated(fake: FakeApi) -> None:
    fake.answer(REFRESH, session(2))

    def search(seen: Seen) -> Response:
        if seen.headers["authorization"] == "Bearer access-1":
            return json_response({"error": "ExpiredToken", "message": "Token has expired"}, 400)
        return json_response({"posts": [view("a", "one", "2026-12-03T18:01:00.000Z")]})

    fake.on(SEARCH, search)
    bsky = source(fake)
    try:
        await bsky.fetch(["AberglasCouncil"], None)
        result = await bsky.fetch(["AberglasCouncil"], None)
    finally:
        await bsky.aclose()
    assert len(result.posts) == 1
    assert len(fake.to(CREATE)) == 1
    (refresh,) = fake.to(REFRESH)
    assert refresh.headers["authorization"] == "Bearer refresh-1"
    assert [r.headers["authorization"] for r in fake.to(SEARCH)] == [
        "Bearer access-1",
        "Bearer access-2",
        "Bearer access-2",
    ]


async def test_a_post_deleted_between_polls(fake: FakeApi) -> None:
    kept = view("k", "kept", "2026-12-03T18:01:00.000Z")
    gone = view("g", "gone", "2026-12-03T18:02:00.000Z")
    fake.answer(SEARCH, json_response({"posts": [gone, kept]}))
    fake.answer(GET_POSTS, json_response({"posts": [kept]}))
    bsky = source(fake)
    try:
        posts = (await bsky.fetch(["AberglasCouncil"], None)).posts
        exists = await bsky.posts_exist([p.uri for p in posts])
    finally:
        await bsky.aclose()
    assert exists == {gone["uri"]: False, kept["uri"]: True}
    assert fake.to(GET_POSTS)[0].params("uris") == [gone["uri"], kept["uri"]]


async def test_wrong_app_password_stops(fake: FakeApi) -> None:
    fake.answer(
        CREATE,
        json_response(
            {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, 401
        ),
    )
    bsky = source(fake)
    try:
        with pytest.raises(AuthFailed) as caught:
            await bsky.fetch(["AberglasCouncil"], None)
    finally:
        await bsky.aclose()
    assert caught.value.status == 401 and "Invalid identifier" in caught.value.reason
    assert fake.to(SEARCH) == []


@pytest.mark.parametrize("status_code", [401, 403])
async def test_search_refused(fake: FakeApi, status_code: int) -> None:
    fake.answer(
        SEARCH, json_response({"error": "Forbidden", "message": "search refused"}, status_code)
    )
    bsky = source(fake)
    try:
        with pytest.raises(AuthFailed) as caught:
            await bsky.fetch(["AberglasCouncil"], None)
    finally:
        await bsky.aclose()
    assert caught.value.status == status_code


async def test_429_with_and_without_reset(fake: FakeApi) -> None:
    fake.answer(
        SEARCH,
        json_response({"error": "RateLimitExceeded"}, 429, {"ratelimit-reset": "1796335200"}),
        json_response({"error": "RateLimitExceeded"}, 429),
    )
    bsky = source(fake)
    try:
        with pytest.raises(RateLimited) as with_reset:
            await bsky.fetch(["AberglasCouncil"], None)
        with pytest.raises(RateLimited) as without:
            await bsky.fetch(["AberglasCouncil"], None)
    finally:
        await bsky.aclose()
    assert with_reset.value.reset_at == datetime.fromtimestamp(1796335200, UTC)
    assert without.value.reset_at is None
    assert len(fake.to(SEARCH)) == 2


@pytest.mark.parametrize("kind", ["5xx", "malformed", "timeout", "empty"])
async def test_unavailable_and_empty(fake: FakeApi, kind: str) -> None:
    if kind == "5xx":
        fake.answer(SEARCH, json_response({"error": "InternalServerError"}, 500))
    elif kind == "malformed":
        fake.answer(SEARCH, malformed())
    elif kind == "empty":
        fake.answer(SEARCH, json_response({"posts": []}))
    else:
        fake.on(SEARCH, slow(0.6))
    bsky = source(fake, timeout=0.2)
    try:
        if kind == "empty":
            result = await bsky.fetch(["AberglasCouncil"], "2026-12-03T18:00:00.000Z")
            assert result.posts == () and result.cursor == "2026-12-03T18:00:00.000Z"
            return
        with pytest.raises(SourceUnavailable):
            await bsky.fetch(["AberglasCouncil"], None)
    finally:
        await bsky.aclose()


async def test_an_expired_refresh_token_logs_in_again(fake: FakeApi) -> None:
    fake.answer(CREATE, session(1), session(3))
    fake.answer(REFRESH, json_response({"error": "ExpiredToken", "message": "expired"}, 400))

    def search(seen: Seen) -> Response:
        if seen.headers["authorization"] == "Bearer access-1":
            return json_response({"error": "ExpiredToken", "message": "Token has expired"}, 400)
        return json_response({"posts": []})

    fake.on(SEARCH, search)
    bsky = source(fake)
    try:
        await bsky.fetch(["AberglasCouncil"], None)
    finally:
        await bsky.aclose()
    assert len(fake.to(REFRESH)) == 1 and len(fake.to(CREATE)) == 2
    assert fake.to(SEARCH)[-1].headers["authorization"] == "Bearer access-3"
