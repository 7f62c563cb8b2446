"""MastodonSource over real httpx against local fakes of Mastodon instances."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from integrations.social.mastodon import MastodonSource, html_to_text
from integrations.social.models import AuthFailed, RateLimited, SourceUnavailable, dedupe
from tests.integrations.social.fakes import FakeApi, json_response, malformed, sample, serve, slow

TAG_PATH = "/api/v1/timelines/tag/aberglascouncil"


@pytest.fixture
async def fake() -> AsyncIterator[FakeApi]:
    async with serve() as api:
        yield api


def status(status_id: str, content: str, **changes: Any) -> dict[str, Any]:
    """A status built from the real sample with our own id, content and changes."""
    base: dict[str, Any] = copy.deepcopy(sample("mastodon-timelines-tag.json")[0])
    base.update(
        id=status_id,
        content=content,
        uri=f"https://social.example/statuses/{status_id}",
        url=f"https://social.example/@res/{status_id}",
        tags=[{"name": "AberglasCouncil", "url": "https://social.example/tags/x"}],
    )
    base.update(changes)
    return base


async def test_the_sample_maps(fake: FakeApi) -> None:
    fake.answer("/api/v1/timelines/tag/hoot", json_response(sample("mastodon-timelines-tag.json")))
    source = MastodonSource(fake.base_url)
    try:
        result = await source.fetch(["#Hoot"], None)
    finally:
        await source.aclose()
    (post,) = result.posts
    assert post.text == "#hoot (hashtag toot)"
    assert (
        post.uri == "http://localhost:3000/ap/users/117020566092212359/statuses/117020593741189701"
    )
    assert post.author_handle == "mastodonpy_test_2" and post.language == "ja"
    assert post.created_at == datetime(2026, 8, 1, 13, 55, 55, 867000, tzinfo=UTC)
    assert post.hashtags == ("hoot",) and post.content_warning is None
    assert result.cursor == "117020593741189701"
    assert fake.to("/api/v1/timelines/tag/hoot")[0].param("limit") == "40"


async def test_media_alt_text_from_the_sample(fake: FakeApi) -> None:
    fake.answer(TAG_PATH, json_response([sample("mastodon-statuses-media.json")]))
    source = MastodonSource(fake.base_url)
    try:
        (post,) = (await source.fetch(["aberglascouncil"], None)).posts
    finally:
        await source.aclose()
    (media,) = post.media
    assert media.kind == "video" and media.alt == "me when a cat"
    assert media.url.endswith("932c0edfaa578808.mp4")


def test_html_to_text() -> None:
    content = (
        '<p>Agenda &amp;amp; minutes &lt;here&gt;: <a href="https://aberglas.example/agenda/4" '
        'rel="nofollow noopener" target="_blank"><span class="invisible">https://</span>'
        '<span class="ellipsis">aberglas.example/agenda/</span><span class="invisible">4'
        "</span></a></p><p>Thanks "
        '<span class="h-card"><a href="https://social.example/@clerk" class="u-url mention">'
        "@<span>clerk</span></a></span><br>see "
        '<a href="https://social.example/tags/AberglasCouncil" class="mention hashtag" '
        'rel="tag">#<span>AberglasCouncil</span></a></p>'
    )
    assert html_to_text(content) == (
        "Agenda &amp; minutes <here>: aberglas.example/agenda/…\n\nThanks @clerk\nsee "
        "#AberglasCouncil"
    )


async def test_pages_newer_through_link_prev_with_several_tags(fake: FakeApi) -> None:
    prev_2 = f'<{fake.base_url}{TAG_PATH}?min_id=205&limit=40>; rel="prev"'
    prev_3 = f'<{fake.base_url}{TAG_PATH}?min_id=207&limit=40>; rel="prev"'
    next_ = f'<{fake.base_url}{TAG_PATH}?max_id=204&limit=40>; rel="next"'
    fake.answer(
        TAG_PATH,
        json_response(
            [status("205", "<p>b</p>"), status("204", "<p>a</p>")],
            200,
            {"Link": f"{next_}, {prev_2}"},
        ),
        json_response(
            [status("207", "<p>d</p>"), status("206", "<p>c</p>")], 200, {"Link": prev_3}
        ),
        json_response([], 200),
    )
    source = MastodonSource(fake.base_url)
    try:
        result = await source.fetch(["AberglasCouncil", "AberglasCabinet"], "203")
    finally:
        await source.aclose()
    first, second, third = fake.to(TAG_PATH)
    assert first.param("min_id") == "203" and first.params("any[]") == ["aberglascabinet"]
    assert second.param("min_id") == "205" and third.param("min_id") == "207"
    assert [p.text for p in result.posts] == ["b", "a", "d", "c"]
    assert result.cursor == "207" and result.more is False
    assert result.by_tag["AberglasCouncil"] == ("205", "204", "207", "206")


async def test_empty_timeline_keeps_the_cursor(fake: FakeApi) -> None:
    fake.answer(TAG_PATH, json_response([]))
    source = MastodonSource(fake.base_url)
    try:
        result = await source.fetch(["aberglascouncil"], "300")
    finally:
        await source.aclose()
    assert result.posts == () and result.cursor == "300"


async def test_content_warnings(fake: FakeApi) -> None:
    fake.answer(
        TAG_PATH,
        json_response(
            [
                status(
                    "2", "<p>x</p>", spoiler_text="Planning row, strong language", sensitive=True
                ),
                status("1", "<p>y</p>", sensitive=True),
            ]
        ),
    )
    source = MastodonSource(fake.base_url)
    try:
        warned, sensitive = (await source.fetch(["aberglascouncil"], None)).posts
    finally:
        await source.aclose()
    assert warned.content_warning == "Planning row, strong language"
    assert sensitive.content_warning == "sensitive"


async def test_a_status_seen_through_two_instances_is_one_post() -> None:
    async with serve() as home, serve() as other:
        shared = status("111", "<p>same status</p>")
        elsewhere = dict(
            shared, id="999888", url="https://other.example/@res@social.example/999888"
        )
        home.answer(TAG_PATH, json_response([shared]))
        other.answer(
            TAG_PATH,
            json_response(
                [elsewhere, status("5", "<p>only here</p>", uri="https://o.example/s/5")]
            ),
        )
        a, b = MastodonSource(home.base_url), MastodonSource(other.base_url)
        try:
            posts = [
                *(await a.fetch(["aberglascouncil"], None)).posts,
                *(await b.fetch(["aberglascouncil"], None)).posts,
            ]
        finally:
            await a.aclose()
            await b.aclose()
    assert len(posts) == 3
    assert [p.external_id for p in dedupe(posts)] == ["111", "5"]


async def test_status_exists(fake: FakeApi) -> None:
    fake.answer("/api/v1/statuses/1", json_response(status("1", "<p>here</p>")))
    fake.answer("/api/v1/statuses/2", json_response({"error": "Record not found"}, 404))
    fake.answer("/api/v1/statuses/3", json_response({"error": "Gone"}, 410))
    source = MastodonSource(fake.base_url)
    try:
        assert await source.status_exists("1") is True
        assert await source.status_exists("2") is False
        assert await source.status_exists("3") is False
    finally:
        await source.aclose()


async def test_429_with_and_without_reset(fake: FakeApi) -> None:
    fake.answer(
        TAG_PATH,
        json_response(
            {"error": "Too many requests"}, 429, {"X-RateLimit-Reset": "2026-12-03T18:10:00.000Z"}
        ),
        json_response({"error": "Too many requests"}, 429),
    )
    source = MastodonSource(fake.base_url)
    try:
        with pytest.raises(RateLimited) as with_reset:
            await source.fetch(["aberglascouncil"], None)
        with pytest.raises(RateLimited) as without:
            await source.fetch(["aberglascouncil"], None)
    finally:
        await source.aclose()
    assert with_reset.value.reset_at == datetime(2026, 12, 3, 18, 10, tzinfo=UTC)
    assert without.value.reset_at is None
    assert len(fake.to(TAG_PATH)) == 2


@pytest.mark.parametrize("status_code", [401, 403])
async def test_auth_failed(fake: FakeApi, status_code: int) -> None:
    fake.answer(
        TAG_PATH,
        json_response({"error": "This method requires an authenticated user"}, status_code),
    )
    source = MastodonSource(fake.base_url)
    try:
        with pytest.raises(AuthFailed) as caught:
            await source.fetch(["aberglascouncil"], None)
    finally:
        await source.aclose()
    assert caught.value.status == status_code
    assert caught.value.reason == "This method requires an authenticated user"


@pytest.mark.parametrize("kind", ["5xx", "malformed", "timeout", "not-a-list"])
async def test_unavailable(fake: FakeApi, kind: str) -> None:
    if kind == "5xx":
        fake.answer(TAG_PATH, json_response({"error": "down"}, 502))
    elif kind == "malformed":
        fake.answer(TAG_PATH, malformed())
    elif kind == "not-a-list":
        fake.answer(TAG_PATH, json_response({"error": "maintenance"}))
    else:
        fake.on(TAG_PATH, slow(0.6))
    source = MastodonSource(fake.base_url, timeout=0.2)
    try:
        with pytest.raises(SourceUnavailable):
            await source.fetch(["aberglascouncil"], None)
    finally:
        await source.aclose()


async def test_no_tags_reads_nothing(fake: FakeApi) -> None:
    source = MastodonSource(fake.base_url)
    try:
        result = await source.fetch([], "300")
    finally:
        await source.aclose()
    assert result.posts == () and result.cursor == "300" and fake.requests == []
