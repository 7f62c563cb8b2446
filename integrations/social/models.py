"""The neutral model every social source maps to, its typed errors, and the source protocol.

Nothing here knows a platform's wire format: x.py, mastodon.py and bluesky.py each turn their
own payloads into `Post`s and their own failures into the three errors below, so the runner
(a later layer) handles every platform the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

Platform = Literal["x", "mastodon", "bluesky"]
MediaKind = Literal["image", "video", "gif", "audio", "other"]


@dataclass(frozen=True)
class Media:
    url: str
    alt: str
    kind: MediaKind


@dataclass(frozen=True)
class Post:
    platform: Platform
    external_id: str
    # The platform's stable identity (Mastodon's ActivityPub uri, Bluesky's at:// uri); for X,
    # the web url. Statuses reached through two Mastodon instances share it.
    uri: str
    url: str
    author_handle: str
    author_name: str
    text: str
    language: str | None
    created_at: datetime
    media: tuple[Media, ...] = ()
    content_warning: str | None = None
    hashtags: tuple[str, ...] = ()
    # X only: the id of the earlier version this edit replaces.
    replaces: str | None = None
    # False when the author asked not to be shown to logged-out viewers (Bluesky's
    # `!no-unauthenticated`): such a post is never shown anywhere public.
    public_ok: bool = True

    @property
    def dedupe_key(self) -> tuple[str, str]:
        return (self.platform, self.uri or self.external_id)


@dataclass(frozen=True)
class FetchResult:
    posts: tuple[Post, ...]
    # What to pass as `cursor` next time (store it with the posts, in one transaction).
    cursor: str | None
    # True when the source stopped at its page budget with more waiting: poll again soon.
    more: bool = False
    # Each tag asked for -> the external ids of the posts that carry it.
    by_tag: dict[str, tuple[str, ...]] = field(default_factory=dict)


class SourceError(Exception):
    """A fetch failed; the subclass says what the caller must do."""


class RateLimited(SourceError):
    """Wait until `reset_at`; when None, back off on the caller's own schedule (never spin)."""

    def __init__(self, reset_at: datetime | None) -> None:
        super().__init__(f"rate limited until {reset_at.isoformat() if reset_at else 'unknown'}")
        self.reset_at = reset_at


class AuthFailed(SourceError):
    """401/403: the credentials or the access level are wrong; stop and tell the clerk why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status}: {reason}")
        self.status = status
        self.reason = reason


class SourceUnavailable(SourceError):
    """5xx, a timeout, a refused connection or a body that is not the expected JSON: back off."""


class SocialSource(Protocol):
    platform: Platform

    async def fetch(self, tags: Sequence[str], cursor: str | None) -> FetchResult: ...

    async def aclose(self) -> None: ...


def normalise_tag(tag: str) -> str:
    return tag.strip().lstrip("#").lower()


def dedupe(posts: Iterable[Post]) -> list[Post]:
    """The first of each (platform, uri-or-external-id), in order."""
    seen: set[tuple[str, str]] = set()
    out: list[Post] = []
    for post in posts:
        if post.dedupe_key not in seen:
            seen.add(post.dedupe_key)
            out.append(post)
    return out


def route_by_tag(posts: Iterable[Post], tags: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Which of the asked-for tags each post carries (one request covers several meetings)."""
    wanted = {normalise_tag(t): t for t in tags}
    routed: dict[str, list[str]] = {t: [] for t in tags}
    for post in posts:
        for tag in post.hashtags:
            if tag in wanted:
                routed[wanted[tag]].append(post.external_id)
    return {t: tuple(ids) for t, ids in routed.items()}
