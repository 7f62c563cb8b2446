"""Social posts: storing what a poll brought, and the health of the source that brought it.

A poll's posts, the source's new cursor and its health are written in one transaction
(``store_poll``): a restart resumes from the cursor of the last committed poll, so nothing is
stored twice and nothing between two polls is skipped. A post becomes a contribution of kind
``post`` (its attribution in ``post`` JSON, hub/shapes/public.py's PostView), so it enters the one
moderation queue with the same events as residents' comments:
- it is tied to the item that was current when it was posted (hub/queries/timeline.py);
- it waits for a clerk unless its author is on the council's allowlist; even then a content
  warning or a blocklisted word holds it, and a post its author asked not to show logged-out
  viewers (``public_ok`` false) is never published (hub/actions/moderation.py refuses it too);
- stored once per meeting (by its platform ``uri``, however many instances brought it); an
  edited X post replaces its earlier version, and goes back to a clerk unless auto-approved.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select

from hub.actions import NotFound, storable
from hub.actions._locks import lock_meeting
from hub.events.publish import Writer
from hub.events.schema import (
    ContributionPublished,
    ContributionRemoved,
    ContributionUpdated,
    Event,
    ModerationItemUpdated,
    SocialSourceHealth,
    SpotlightChanged,
)
from hub.models import (
    Contribution,
    ContributionStatus,
    Council,
    Kind,
    SocialPost,
    SocialSource,
)
from hub.policy import policy_of
from hub.queries.social import tags_of
from hub.queries.timeline import item_timeline
from hub.screening import body_key, screen
from hub.shapes.public import contribution_view
from hub.shapes.staff import source_health, source_state, staff_view
from integrations.social.models import FetchResult, Post, normalise_tag

# Why a post waits for a clerk, beside screening's flags (the queue shows them).
WARNING_FLAG = "content_warning"
NOT_PUBLIC_FLAG = "not_public"
NAME_CHARS = 60  # contributions.display_name
ERROR_CHARS = 500  # social_sources.last_error


@dataclass(frozen=True)
class Stored:
    """What one poll stored, per meeting: the contribution ids of new posts (and of edited
    ones, which replaced an earlier version)."""

    new: dict[int, list[int]]
    replaced: dict[int, list[int]]
    # Whether the source's health was sent to the meetings polled (SocialSourceHealth).
    announced: bool = False

    @property
    def count(self) -> int:
        return sum(len(ids) for ids in self.new.values())


def hashtags(text: str) -> tuple[str, ...]:
    """Tags from a council's or meeting's setting (spaces, commas or lines; '#' optional)."""
    return tags_of(text)


def allowlisted(council: Council, platform: str, handle: str) -> bool:
    """The author is on the council's allowlist (lines of "platform:handle", '@' optional)."""
    who = handle.strip().lower().lstrip("@")
    for line in (council.social_allowlist or "").splitlines():
        name, sep, entry = line.strip().lower().partition(":")
        if sep and name.strip() == platform and entry.strip().lstrip("@") == who:
            return True
    return False


def _attribution(post: Post) -> str:
    return json.dumps(
        {
            "platform": post.platform,
            "url": post.url,
            "author_handle": post.author_handle,
            "author_name": post.author_name,
            "posted_at": post.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "language": post.language,
            "media": [{"url": m.url, "alt": m.alt, "kind": m.kind} for m in post.media],
            "content_warning": post.content_warning,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _participant(post: Post) -> str:
    # Blocking acts per participant: a blocked account's later posts are refused like a
    # resident's. Hashed to the column's size (the handle is in the attribution).
    return (
        "social:"
        + hashlib.sha256(f"{post.platform}:{post.author_handle}".encode()).hexdigest()[:56]
    )


def _token(post: Post) -> str:
    return hashlib.sha256(f"{post.platform}:{post.uri or post.external_id}".encode()).hexdigest()


def _meetings_of(post: Post, result: FetchResult, tags: dict[int, tuple[str, ...]]) -> list[int]:
    carried = {normalise_tag(t) for t in post.hashtags}
    for tag, ids in result.by_tag.items():
        if post.external_id in ids:
            carried.add(normalise_tag(tag))
    return [mid for mid, wanted in tags.items() if carried & set(wanted)]


async def store_poll(
    w: Writer,
    source_id: int,
    result: FetchResult,
    tags: dict[int, tuple[str, ...]],
    now: datetime,
    next_poll_at: datetime | None = None,
    cursor_tags: str | None = None,
    *,
    announce: bool = False,
) -> Stored:
    """Store one poll of one source: its posts for each meeting polled (``tags``: meeting id to
    the normalised tags it was polled for), the source's new cursor and its health. The health
    goes to those meetings' consoles when it changed, when posts were stored, or when
    ``announce`` (the poller refreshes it every few minutes): not after every identical poll."""
    source = await w.session.get(SocialSource, source_id, with_for_update=True)
    if source is None:
        raise NotFound("no such social source")
    before = _health_key(source)
    for mid in sorted(tags):  # every meeting polled, in id order: two writers never deadlock
        await lock_meeting(w, mid)
    stored = Stored(new={}, replaced={})
    by_meeting: dict[int, list[Post]] = {}
    for post in result.posts:
        for mid in _meetings_of(post, result, tags):
            by_meeting.setdefault(mid, []).append(post)
    for mid in sorted(by_meeting):  # locks in one order: two writers never deadlock
        new, replaced = await _store_for_meeting(w, source, mid, by_meeting[mid], now)
        if new:
            stored.new[mid] = new
        if replaced:
            stored.replaced[mid] = replaced
    source.cursor = result.cursor
    source.cursor_tags = cursor_tags
    source.last_attempt_at = source.last_success_at = now
    source.posts_fetched += stored.count
    source.failures = 0
    source.last_error = None
    source.rate_limit_reset_at = None
    source.next_poll_at = next_poll_at
    if announce or stored.new or stored.replaced or _health_key(source) != before:
        await announce_health(w, source, tags)
        stored = replace(stored, announced=True)
    return stored


def _health_key(source: SocialSource) -> tuple[object, ...]:
    """What a clerk would see change: not the times of each identical poll, nor a new reset
    time while it stays rate limited (those are refreshed every few minutes)."""
    return (
        source_state(source),
        source.last_error,
        source.stopped_reason,
        bool(source.credentials),
    )


async def announce_health(
    w: Writer, source: SocialSource, meeting_ids: Iterable[int], *, removed: bool = False
) -> None:
    """Tell the consoles of these meetings how the source is doing (a staff event)."""
    await w.session.flush()
    view = source_health(source)
    for mid in sorted(set(meeting_ids)):
        await lock_meeting(w, mid)
        await w.emit_many(mid, [(SocialSourceHealth(source=view, removed=removed), None)])


async def _store_for_meeting(
    w: Writer, source: SocialSource, meeting_id: int, posts: list[Post], now: datetime
) -> tuple[list[int], list[int]]:
    meeting = await lock_meeting(w, meeting_id)
    policy = policy_of(meeting.council)
    platform = source.platform
    uris = {p.uri or p.external_id for p in posts}
    known_uris = set(
        await w.session.scalars(
            select(SocialPost.uri).where(
                SocialPost.meeting_id == meeting_id,
                SocialPost.platform == platform,
                SocialPost.uri.in_(uris),
            )
        )
    )
    earlier_ids = {p.replaces for p in posts if p.replaces}
    earlier: dict[str, SocialPost] = {}
    if earlier_ids:
        earlier = {
            sp.external_id: sp
            for sp in await w.session.scalars(
                select(SocialPost).where(
                    SocialPost.meeting_id == meeting_id,
                    SocialPost.platform == platform,
                    SocialPost.external_id.in_(earlier_ids),
                )
            )
        }
    timeline = await item_timeline(w.session, meeting_id)
    events: list[tuple[Event, str | None]] = []
    new_ids: list[int] = []
    replaced_ids: list[int] = []
    rows: list[dict[str, Any]] = []
    pending_posts: list[Post] = []
    for post in posts:
        uri = post.uri or post.external_id
        if uri in known_uris:
            continue
        known_uris.add(uri)
        text = storable(post.text).strip()
        verdict = screen(text, policy, False)
        # Links are how posts cite things: only the blocklist holds a post for screening.
        flags = [f for f in verdict.flags if f == "blocklist"]
        if post.content_warning:
            flags.append(WARNING_FLAG)
        if not post.public_ok:
            flags.append(NOT_PUBLIC_FLAG)
        publish = not flags and allowlisted(meeting.council, platform, post.author_handle)
        status = ContributionStatus.PUBLISHED if publish else ContributionStatus.PENDING
        previous = earlier.get(post.replaces or "")
        if previous is not None:
            replaced_ids.append(
                await _replace(w, meeting, previous, post, text, flags, publish, events, now)
            )
            continue
        rows.append(
            {
                "meeting_id": meeting_id,
                "item_id": timeline.item_at(post.created_at),
                "kind": Kind.POST.value,
                "position": None,
                "body": text,
                "body_key": body_key(text),
                "display_name": storable(post.author_name)[:NAME_CHARS] or None,
                "area": None,
                "participant_id": _participant(post),
                "client_token": _token(post),
                "status": status.value,
                "screening": ",".join(flags) or None,
                "answered": False,
                "votes": 0,
                "created_at": now,
                "published_at": now if publish else None,
                "post": _attribution(post),
            }
        )
        pending_posts.append(post)
    if rows:
        table = cast(Table, Contribution.__table__)
        returned = await w.session.execute(
            insert(table).returning(table.c.id, table.c.client_token), rows
        )
        ids = {token: int(cid) for cid, token in returned}
        for row, post in zip(rows, pending_posts, strict=True):
            contribution = Contribution(id=ids[row["client_token"]], **row)
            new_ids.append(contribution.id)
            w.session.add(
                SocialPost(
                    contribution_id=contribution.id,
                    meeting_id=meeting_id,
                    source_id=source.id,
                    platform=platform,
                    uri=post.uri or post.external_id,
                    external_id=post.external_id,
                    posted_at=post.created_at,
                    public_ok=post.public_ok,
                )
            )
            events.append(
                (
                    ModerationItemUpdated(
                        contribution=staff_view(contribution, None), action="submitted"
                    ),
                    None,
                )
            )
            if contribution.status == ContributionStatus.PUBLISHED:
                events.append(
                    (ContributionPublished(contribution=contribution_view(contribution)), None)
                )
    await w.session.flush()
    if events:
        await w.emit_many(meeting_id, events)
    return new_ids, replaced_ids


async def _replace(
    w: Writer,
    meeting: Any,
    previous: SocialPost,
    post: Post,
    text: str,
    flags: list[str],
    publish: bool,
    events: list[tuple[Event, str | None]],
    now: datetime,
) -> int:
    """An edited post takes its earlier version's place: same contribution, new text. Published
    and no longer auto-approved, it leaves the page for a clerk to look at again."""
    c = await w.session.get(Contribution, previous.contribution_id)
    assert c is not None
    was_published = c.status == ContributionStatus.PUBLISHED
    previous.uri = post.uri or post.external_id
    previous.external_id = post.external_id
    previous.public_ok = post.public_ok
    c.body = text
    c.body_key = body_key(text)
    c.post = _attribution(post)
    c.screening = ",".join(flags) or None
    if was_published and publish:
        events.append((ContributionUpdated(contribution=contribution_view(c)), None))
    elif was_published:
        c.status = ContributionStatus.PENDING.value
        c.published_at = None
        events.append((ContributionRemoved(id=c.id), None))
        if meeting.spotlight_id == c.id:
            meeting.spotlight_id = None
            meeting.spotlight_pinned = False
            events.append((SpotlightChanged(contribution=None), None))
    events.append((ModerationItemUpdated(contribution=staff_view(c, None), action="edited"), None))
    return c.id


async def record_failure(
    w: Writer,
    source_id: int,
    error: str,
    now: datetime,
    next_poll_at: datetime | None,
    *,
    rate_limit_reset_at: datetime | None = None,
    stopped: bool = False,
    meetings: Sequence[int] = (),
    announce: bool = False,
) -> bool:
    """A poll failed: its health says why and when the next try is; the cursor is untouched.
    ``stopped``: the platform refused the credentials; no polls until staff change them.
    The health goes to ``meetings``' consoles when what a clerk sees changed (or ``announce``);
    returns whether it went."""
    source = await w.session.get(SocialSource, source_id, with_for_update=True)
    if source is None:
        raise NotFound("no such social source")
    before = _health_key(source)
    source.last_attempt_at = now
    source.failures += 1
    source.last_error = error[:ERROR_CHARS]
    source.next_poll_at = None if stopped else next_poll_at
    source.rate_limit_reset_at = rate_limit_reset_at
    if stopped:
        source.stopped_reason = error[:ERROR_CHARS]
    if meetings and (announce or _health_key(source) != before):
        await announce_health(w, source, meetings)
        return True
    return False
