"""A council's social sources: add, change credentials, enable, remove.

Credentials arrive here already encrypted (hub/secrets.py): this module never sees them in
the clear, so nothing it raises or logs can carry them.
"""

from __future__ import annotations

from sqlalchemy import select

from hub.actions import Conflict, Invalid, NotFound
from hub.actions._locks import Actor
from hub.actions.audit import record
from hub.actions.social import announce_health
from hub.events.publish import Writer
from hub.models import Platform, SocialSource, utcnow
from hub.queries.councils import council_by_slug
from hub.queries.social import meetings_in_window

NAME_MAX_CHARS = 100
URL_MAX_CHARS = 300


async def add_source(
    w: Writer,
    council_slug: str,
    platform: str,
    name: str,
    *,
    base_url: str | None = None,
    credentials: str | None = None,
    actor: Actor | None = None,
) -> SocialSource:
    council = await council_by_slug(w.session, council_slug)
    if council is None:
        raise NotFound(f"no council {council_slug!r}")
    try:
        platform = Platform(platform).value
    except ValueError:
        raise Invalid("the platform must be x, mastodon or bluesky") from None
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX_CHARS:
        raise Invalid(f"a source's name is 1 to {NAME_MAX_CHARS} characters")
    if base_url is not None:
        base_url = base_url.strip().rstrip("/")
        if not base_url.startswith(("https://", "http://")) or len(base_url) > URL_MAX_CHARS:
            raise Invalid("the base URL must be an http(s) URL")
    taken = await w.session.scalar(
        select(SocialSource.id).where(
            SocialSource.council_id == council.id, SocialSource.name == name
        )
    )
    if taken is not None:
        raise Conflict(f"the council already has a source named {name!r}")
    source = SocialSource(
        council_id=council.id,
        platform=platform,
        name=name,
        base_url=base_url or None,
        credentials=credentials,
        enabled=True,
        posts_fetched=0,
        failures=0,
    )
    w.session.add(source)
    await w.session.flush()
    await _tell_consoles(w, source)
    await record(
        w,
        council_id=council.id,
        actor=actor,
        action="social_source.added",
        details={"name": name, "platform": platform},
    )
    return source


async def _tell_consoles(w: Writer, source: SocialSource, *, removed: bool = False) -> None:
    """The consoles of the council's meetings being polled show the change at once."""
    meetings = await meetings_in_window(w.session, utcnow(), source.council_id)
    await announce_health(w, source, [m.id for m in meetings], removed=removed)


async def set_credentials(
    w: Writer,
    source_id: int,
    credentials: str | None,
    *,
    council_id: int | None = None,
    actor: Actor | None = None,
) -> SocialSource:
    """New (encrypted) credentials: a source stopped for refused credentials polls again.
    ``council_id``: the council the caller may manage (a source of another is not found)."""
    source = await w.session.get(SocialSource, source_id, with_for_update=True)
    if source is None or (council_id is not None and source.council_id != council_id):
        raise NotFound("no such social source")
    source.credentials = credentials
    source.stopped_reason = None
    source.failures = 0
    source.last_error = None
    source.rate_limit_reset_at = None
    source.next_poll_at = None
    await _tell_consoles(w, source)
    # That they changed, never what they are (they arrive encrypted anyway).
    await record(
        w,
        council_id=source.council_id,
        actor=actor,
        action="social_source.credentials_set",
        details={"name": source.name},
    )
    return source


async def remove_source(
    w: Writer, source_id: int, *, council_id: int | None = None, actor: Actor | None = None
) -> None:
    """The source goes; the posts it brought stay with their meetings (source_id set null)."""
    source = await w.session.get(SocialSource, source_id, with_for_update=True)
    if source is None or (council_id is not None and source.council_id != council_id):
        raise NotFound("no such social source")
    await _tell_consoles(w, source, removed=True)
    await record(
        w,
        council_id=source.council_id,
        actor=actor,
        action="social_source.removed",
        details={"name": source.name},
    )
    await w.session.delete(source)
