"""XSource: the real tweepy AsyncClient against a local fake of X's API over loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from integrations.social.models import AuthFailed, RateLimited, SourceUnavailable
from integrations.social.x import XSource
from tests.integrations.social.fakes import (
    FakeApi,
    json_response,
    malformed,
    sample,
    serve,
    slow,
)

SEARCH = "/2/tweets/search/recent"
TAGS = ["AberglasCouncil", "#AberglasCabinet"]
START = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)


@pytest.fixture
async def fake() -> AsyncIterator[FakeApi]:
    async with serve() as api:
        yield api


def source(fake: FakeApi, **kwargs: object) -> XSource:
    return XSource("bearer-123", api_base=fake.base_url, start_time=START, **kwargs)  # type: ignore[arg-type]


def meeting_page() -> dict[str, object]:
    """Our own page: a long post, an escaped one, an edit, media with alt text, two authors."""
    long_text = (
        "Budget item 4: " + "the library stays open on Saturdays, " * 10 + "#AberglasCabinet"
    )
    assert len(long_text) > 280
    return {
        "data": [
            {
                "id": "1866000000000000003",
                "text": long_text[:270] + "… https://t.co/x",
                "note_tweet": {
                    "text": long_text,
                    "entities": {"hashtags": [{"start": 0, "end": 1, "tag": "AberglasCabinet"}]},
                },
                "author_id": "11",
                "created_at": "2026-12-03T18:05:00.000Z",
                "lang": "en",
                "edit_history_tweet_ids": ["1866000000000000003"],
            },
            {
                "id": "1866000000000000002",
                "text": "Roads &amp; bridges &lt;now&gt; &amp;amp; more #aberglascouncil",
                "entities": {"hashtags": [{"start": 0, "end": 1, "tag": "aberglascouncil"}]},
                "author_id": "12",
                "created_at": "2026-12-03T18:04:00.000Z",
                "lang": "cy",
                "possibly_sensitive": True,
                "attachments": {"media_keys": ["3_1", "7_2"]},
                "edit_history_tweet_ids": ["1866000000000000001", "1866000000000000002"],
            },
        ],
        "includes": {
            "users": [
                {"id": "11", "username": "cllr_jones", "name": "Cllr Jones"},
                {"id": "12", "username": "aberglas_res", "name": "A &amp; B Residents"},
            ],
            "media": [
                {
                    "media_key": "3_1",
                    "type": "photo",
                    "url": "https://pbs.example/1.jpg",
                    "alt_text": "The chamber &amp; the public gallery",
                },
                {
                    "media_key": "7_2",
                    "type": "video",
                    "preview_image_url": "https://pbs.example/2.jpg",
                },
            ],
        },
        "meta": {
            "newest_id": "1866000000000000003",
            "oldest_id": "1866000000000000002",
            "result_count": 2,
        },
    }


async def test_pages_through_next_token_one_query_for_all_tags(fake: FakeApi) -> None:
    fake.answer(
        SEARCH, json_response(sample("x-search-recent.json")), json_response(meeting_page())
    )
    x = source(fake)
    try:
        result = await x.fetch(TAGS, None)
    finally:
        await x.aclose()
    first, second = fake.to(SEARCH)
    assert first.param("query") == "(#aberglascouncil OR #aberglascabinet) -is:retweet"
    assert first.param("start_time") == "2026-12-03T18:00:00Z"
    assert first.param("since_id") is None
    assert first.headers["authorization"] == "Bearer bearer-123"
    assert "note_tweet" in (first.param("tweet.fields") or "")
    assert "attachments.media_keys" in (first.param("expansions") or "")
    assert "alt_text" in (first.param("media.fields") or "")
    assert second.param("next_token") == "b26v89c19zqg8o3fpzbn1e0ffhxjiofzw6po136rvbnul"
    assert len(result.posts) == 12
    # The cursor is the newest id of the whole window (the first page's), not the last page's.
    assert result.cursor == "1578516068309794817"
    assert result.more is False
    # The 2022 sample asked for default fields: its time comes from the snowflake id
    # (its text, written by the sender just before, says 22:42:12.637).
    assert result.posts[0].created_at == datetime(2022, 10, 7, 22, 42, 12, 752000, tzinfo=UTC)
    assert result.by_tag == {
        "AberglasCouncil": ("1866000000000000002",),
        "#AberglasCabinet": ("1866000000000000003",),
    }


async def test_maps_long_escaped_edited_posts_with_media(fake: FakeApi) -> None:
    fake.answer(SEARCH, json_response(meeting_page()))
    x = source(fake)
    try:
        long_post, escaped = (await x.fetch(TAGS, "1865000000000000000")).posts
    finally:
        await x.aclose()
    assert fake.to(SEARCH)[0].param("since_id") == "1865000000000000000"
    assert fake.to(SEARCH)[0].param("start_time") is None
    assert len(long_post.text) > 280 and long_post.text.endswith("#AberglasCabinet")
    assert long_post.author_handle == "cllr_jones" and long_post.author_name == "Cllr Jones"
    assert long_post.url == "https://x.com/cllr_jones/status/1866000000000000003"
    assert long_post.created_at == datetime(2026, 12, 3, 18, 5, tzinfo=UTC)
    assert long_post.replaces is None and long_post.content_warning is None
    assert escaped.text == "Roads & bridges <now> &amp; more #aberglascouncil"
    assert escaped.author_name == "A & B Residents"
    assert escaped.replaces == "1866000000000000001"
    assert escaped.language == "cy" and escaped.content_warning == "sensitive"
    assert escaped.hashtags == ("aberglascouncil",)
    assert [(m.url, m.alt, m.kind) for m in escaped.media] == [
        ("https://pbs.example/1.jpg", "The chamber & the public gallery", "image"),
        ("https://pbs.example/2.jpg", "", "video"),
    ]


async def test_the_filtered_stream_sample_maps(fake: FakeApi) -> None:
    item = sample("x-filtered-stream.json")
    fake.answer(
        SEARCH,
        json_response(
            {
                "data": [item["data"]],
                "includes": item["includes"],
                "meta": {"newest_id": item["data"]["id"]},
            }
        ),
    )
    x = source(fake)
    try:
        (post,) = (await x.fetch(["OceanTwp"], None)).posts
    finally:
        await x.aclose()
    assert post.author_handle == "QuanVu72601925" and post.author_name == "Quan Vu"
    assert post.hashtags == ("oceantwp", "traffic")
    assert post.created_at == datetime(2020, 11, 18, 2, 55, 36, tzinfo=UTC)


async def test_empty_result_keeps_the_cursor(fake: FakeApi) -> None:
    fake.answer(SEARCH, json_response({"meta": {"result_count": 0}}))
    x = source(fake)
    try:
        result = await x.fetch(TAGS, "1865000000000000000")
    finally:
        await x.aclose()
    assert result.posts == () and result.cursor == "1865000000000000000"


async def test_page_budget_resumes_the_same_window(fake: FakeApi) -> None:
    fake.answer(
        SEARCH, json_response(sample("x-search-recent.json")), json_response(meeting_page())
    )
    x = source(fake, max_pages=1)
    try:
        first = await x.fetch(TAGS, "1500000000000000000")
        second = await x.fetch(TAGS, first.cursor)
    finally:
        await x.aclose()
    assert first.more is True and len(first.posts) == 10
    resumed = fake.to(SEARCH)[1]
    assert resumed.param("since_id") == "1500000000000000000"
    assert resumed.param("next_token") == "b26v89c19zqg8o3fpzbn1e0ffhxjiofzw6po136rvbnul"
    assert second.more is False and second.cursor == "1578516068309794817"


async def test_429_with_reset(fake: FakeApi) -> None:
    fake.answer(
        SEARCH,
        json_response(
            {"title": "Too Many Requests", "status": 429}, 429, {"x-rate-limit-reset": "1796335200"}
        ),
    )
    x = source(fake)
    try:
        with pytest.raises(RateLimited) as caught:
            await x.fetch(TAGS, None)
    finally:
        await x.aclose()
    assert caught.value.reset_at == datetime.fromtimestamp(1796335200, UTC)


async def test_429_without_reset_does_not_spin(fake: FakeApi) -> None:
    fake.answer(SEARCH, json_response({"title": "Too Many Requests"}, 429))
    x = source(fake)
    try:
        with pytest.raises(RateLimited) as caught:
            await x.fetch(TAGS, None)
    finally:
        await x.aclose()
    assert caught.value.reset_at is None
    assert len(fake.to(SEARCH)) == 1


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_failures_say_why(fake: FakeApi, status: int) -> None:
    fake.answer(
        SEARCH,
        json_response(
            {
                "title": "Forbidden",
                "reason": "client-not-enrolled",
                "detail": "This app is not enrolled.",
            },
            status,
        ),
    )
    x = source(fake)
    try:
        with pytest.raises(AuthFailed) as caught:
            await x.fetch(TAGS, None)
    finally:
        await x.aclose()
    assert caught.value.status == status
    assert "not enrolled" in caught.value.reason


async def test_html_error_page_is_still_classified(fake: FakeApi) -> None:
    from starlette.responses import HTMLResponse

    fake.answer(SEARCH, HTMLResponse("<h1>Unauthorized</h1>", 401))
    x = source(fake)
    try:
        with pytest.raises(AuthFailed):
            await x.fetch(TAGS, None)
    finally:
        await x.aclose()


@pytest.mark.parametrize("kind", ["5xx", "malformed", "timeout", "html200"])
async def test_unavailable(fake: FakeApi, kind: str) -> None:
    from starlette.responses import HTMLResponse

    if kind == "5xx":
        fake.answer(SEARCH, json_response({"title": "Service Unavailable"}, 503))
    elif kind == "malformed":
        fake.answer(SEARCH, malformed())
    elif kind == "html200":
        fake.answer(SEARCH, HTMLResponse("<p>captive portal</p>"))
    else:
        fake.on(SEARCH, slow(0.6))
    x = source(fake, timeout=0.2)
    try:
        with pytest.raises(SourceUnavailable):
            await x.fetch(TAGS, None)
    finally:
        await x.aclose()


async def test_no_tags_reads_nothing(fake: FakeApi) -> None:
    """An empty query would be refused by X (or, worse, match everything)."""
    x = source(fake)
    try:
        result = await x.fetch([], "1865000000000000000")
    finally:
        await x.aclose()
    assert result.posts == () and result.cursor == "1865000000000000000"
    assert fake.requests == []


def test_can_be_made_outside_the_event_loop() -> None:
    """A runner may build its sources before the loop starts; aiohttp must not see that."""
    x = XSource("bearer-123")
    assert x.start_time is None
