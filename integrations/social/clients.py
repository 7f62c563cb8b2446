"""Building the client of one configured social source, from its platform, base URL and
decrypted credentials (the seam tests and the CLI share), and the calls the poller makes on a
client beside fetching: checking whether posts still exist, closing it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

from hub.queries.social import Recheck
from integrations.social.bluesky import DEFAULT_SERVICE, BlueskySource
from integrations.social.mastodon import MastodonSource
from integrations.social.models import SocialSource as Source
from integrations.social.x import DEFAULT_API_BASE, XSource

logger = logging.getLogger(__name__)

# What each platform's credentials hold (hub/secrets.py encrypts them as one JSON object).
CREDENTIAL_FIELDS: dict[str, tuple[str, ...]] = {
    "x": ("bearer_token",),
    "bluesky": ("handle", "app_password"),
    "mastodon": (),
}

SourceFactory = Callable[[str, "str | None", Mapping[str, str]], Source]


class CannotPoll(Exception):
    """The source cannot be built: no credentials, or none this hub's key can read."""


def build_source(platform: str, base_url: str | None, credentials: Mapping[str, str]) -> Source:
    """A source object for a configured source (the seam tests and the CLI share)."""
    missing = [f for f in CREDENTIAL_FIELDS.get(platform, ()) if not credentials.get(f)]
    if missing:
        raise CannotPoll(f"its credentials are not set ({', '.join(missing)} missing)")
    if platform == "x":
        return XSource(credentials["bearer_token"], api_base=base_url or DEFAULT_API_BASE)
    if platform == "bluesky":
        return BlueskySource(
            credentials["handle"], credentials["app_password"], service=base_url or DEFAULT_SERVICE
        )
    if platform == "mastodon":
        if not base_url:
            raise CannotPoll("a Mastodon source needs its instance's URL")
        return MastodonSource(base_url)
    raise CannotPoll(f"unknown platform {platform!r}")


async def deleted_posts(
    client: MastodonSource | BlueskySource, due: Sequence[Recheck]
) -> list[Recheck]:
    if isinstance(client, BlueskySource):
        exists = await client.posts_exist([d.uri for d in due])
        return [d for d in due if not exists.get(d.uri, True)]
    return [d for d in due if not await client.status_exists(d.external_id)]


async def close_source(source: Source) -> None:
    try:
        await source.aclose()
    except Exception:
        logger.exception("closing a social source failed")
