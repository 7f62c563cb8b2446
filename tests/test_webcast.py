"""Which webcast URLs are embedded, and how: privacy-respecting players, a council's own player
only by an allowed prefix, nothing else; the recording's link at a moment."""

from __future__ import annotations

import pytest

from hub.webcast import video_for, video_hosts

ALLOWED = video_hosts(
    "https://aberglas.public-i.tv/core/portal/webcast_interactive/\n"
    "http://insecure.example/\n  not a url\nhttps://user:pw@evil.example/\n"
)


def test_allowed_hosts_are_https_prefixes_only() -> None:
    assert ALLOWED == ("https://aberglas.public-i.tv/core/portal/webcast_interactive/",)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://youtube.com/watch?v=dQw4w9WgXcQ&feature=share",
        "https://youtu.be/dQw4w9WgXcQ",
        "https://www.youtube.com/live/dQw4w9WgXcQ",
        "https://m.youtube.com/watch?v=dQw4w9WgXcQ",
    ],
)
def test_youtube_without_cookies(url: str) -> None:
    video = video_for(url)
    assert video is not None
    assert video.embed_url == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert video.frame_origin == "https://www.youtube-nocookie.com"
    assert video.at(754) == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=754s"
    assert video.at(-5) == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=0s"


def test_vimeo_without_tracking() -> None:
    video = video_for("https://vimeo.com/76979871")
    assert video is not None
    assert video.embed_url == "https://player.vimeo.com/video/76979871?dnt=1"
    assert video.at(61) == "https://vimeo.com/76979871#t=61s"


def test_a_councils_own_player_only_by_its_prefix() -> None:
    own = "https://aberglas.public-i.tv/core/portal/webcast_interactive/812345"
    video = video_for(own, ALLOWED)
    assert video is not None
    assert (video.embed_url, video.frame_origin, video.at(10)) == (
        own,
        "https://aberglas.public-i.tv",
        None,
    )
    assert video_for(own) is None  # not allowed by this council


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "javascript:alert(1)",
        "https://www.youtube.com/watch?v=short",
        'https://www.youtube.com/watch?v=dQw4w9WgXcQ"><script>',
        "https://youtu.be/../../evil",
        "https://vimeo.com/channels/staffpicks",
        "https://evil.example/core/portal/webcast_interactive/1",
        "https://aberglas.public-i.tv.evil.example/core/portal/webcast_interactive/1",
        "http://aberglas.public-i.tv/core/portal/webcast_interactive/1",
        "https://user@www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://[::1/",
    ],
)
def test_nothing_else_is_embedded(url: str | None) -> None:
    assert video_for(url, ALLOWED) is None
