"""The meeting's video beside the agenda: which webcast URLs can be embedded, how, and a link to
the recording at a given moment.

Embedded only with privacy-respecting settings (YouTube's youtube-nocookie.com, Vimeo's
``dnt=1``) or from a player the council allows by URL prefix (its ``video_hosts``), and loaded
only when the resident asks (static/js/webcast.js): the page makes no request to a third party
before that. The page's CSP allows frames from that one origin only (``frame_origin``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^\d{1,12}$")
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com"}
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com"}


@dataclass(frozen=True)
class Video:
    provider: str  # "YouTube", "Vimeo", or the council's player's host
    embed_url: str
    frame_origin: str
    # The recording at second {s}: "{s}" is replaced; None when the player takes no start time.
    at_template: str | None

    def at(self, seconds: int) -> str | None:
        if self.at_template is None:
            return None
        return self.at_template.replace("{s}", str(max(0, int(seconds))))


def video_hosts(setting: str) -> tuple[str, ...]:
    """A council's allowed players: one https URL prefix a line (e.g. a webcasting service's
    address for the council), ignoring anything else."""
    found = []
    for line in setting.splitlines():
        prefix = line.strip()
        parts = urlsplit(prefix)
        if parts.scheme == "https" and parts.hostname and not parts.username:
            found.append(prefix)
    return tuple(found)


def video_for(url: str | None, allowed: Sequence[str] = ()) -> Video | None:
    """How to embed ``url``, or None if it is not a video the page may embed."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or parts.username or parts.password:
        return None
    video_id = None
    if host in _YOUTUBE_HOSTS:
        segments = [s for s in parts.path.split("/") if s]
        if parts.path == "/watch":
            video_id = (parse_qs(parts.query).get("v") or [""])[0]
        elif len(segments) == 2 and segments[0] in ("live", "embed", "shorts"):
            video_id = segments[1]
    elif host == "youtu.be":
        video_id = parts.path.strip("/")
    if video_id is not None:
        if not _YOUTUBE_ID.match(video_id):
            return None
        return Video(
            "YouTube",
            f"https://www.youtube-nocookie.com/embed/{video_id}",
            "https://www.youtube-nocookie.com",
            f"https://www.youtube.com/watch?v={video_id}&t={{s}}s",
        )
    if host in _VIMEO_HOSTS:
        vimeo_id = parts.path.strip("/")
        if not _VIMEO_ID.match(vimeo_id):
            return None
        return Video(
            "Vimeo",
            f"https://player.vimeo.com/video/{vimeo_id}?dnt=1",
            "https://player.vimeo.com",
            f"https://vimeo.com/{vimeo_id}#t={{s}}s",
        )
    if parts.scheme == "https" and host:
        normalised = parts.geturl()
        for prefix in allowed:
            if normalised.startswith(prefix):
                origin = f"https://{parts.netloc}"
                return Video(host, quote(normalised, safe=":/?&=#%+-._~"), origin, None)
    return None
