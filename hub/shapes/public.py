"""What everyone sees: meetings, agenda items and published contributions, in the snapshot and
in the public events that update it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from hub.models import AgendaItem, Contribution, ItemStatus, Meeting, MeetingStatus, iso
from hub.policy import shown_hashtags

# How an item reads besides the statuses a clerk sets (``display_status``). A clerk moving
# from 5 to 5a leaves 5 pending: without these it read "Not yet discussed" beside its own
# start and end times while its sub-items were being discussed.
UNDERWAY = "underway"  # pending, and one of its sub-items is being discussed now
DISCUSSED = "discussed"  # pending, but it (or one of its sub-items) has been taken already


@dataclass(frozen=True)
class DocumentView:
    """A document as a link to the council's own site (imported agendas)."""

    title: str
    url: str


def document_views(stored: str | None) -> tuple[DocumentView, ...]:
    """The documents stored as JSON on a meeting or an item (hub/actions/ingest.py)."""
    try:
        data = json.loads(stored or "[]")
    except ValueError:
        return ()
    return tuple(
        DocumentView(str(d.get("title", "")), str(d.get("url", "")))
        for d in data
        if isinstance(d, dict) and str(d.get("url", "")).startswith(("https://", "http://"))
    )


@dataclass(frozen=True)
class ItemView:
    id: int
    parent_id: int | None
    position: int
    number: str
    title: str
    description: str
    status: str
    outcome: str | None
    started_at: str | None
    ended_at: str | None
    # How the item reads: ``status``, except that a pending item reads ``underway`` while one
    # of its sub-items is current, else ``discussed`` once it or a sub-item has been taken.
    display_status: str
    # Counts the item's changes: the clerk's console sends it back with an action, which is
    # refused (409) if the item changed since (hub/actions/agenda.py).
    version: int
    # Links to the item's documents on the council's site (imported agendas; else empty).
    documents: tuple[DocumentView, ...] = ()
    # The title and description in Welsh ("" where there is none: show ``title``, which is
    # English). Added to the shape later (with defaults), so older logged events read back
    # without them, and consumers that ignore them are unaffected.
    title_cy: str = ""
    description_cy: str = ""


@dataclass(frozen=True)
class MeetingView:
    id: int
    council_slug: str
    council_name: str
    timezone: str
    language: str
    title: str
    body_name: str
    starts_at: str
    location: str
    webcast_url: str | None
    status: str
    # When the meeting takes comments and questions (hub/policy.py's meeting_window, which the
    # page applies with its own clock): never once it is closed or cancelled; not after
    # ``submissions_close_at``; from ``submissions_open_at`` if set; else, while
    # ``submissions_wait_for_opening``, only once the clerk opens the meeting; else now.
    submissions_open_at: str | None
    submissions_close_at: str | None
    submissions_wait_for_opening: bool
    # Counts changes of ``status``: the console's meeting actions send it back (409 if stale).
    status_version: int
    # Links to the meeting's documents on the council's site, and its page there (imported).
    documents: tuple[DocumentView, ...] = ()
    source_url: str | None = None
    # The meeting's own hashtags, as written (``["#AberglasCabinet"]``): social media posts that
    # carry one (or one of its council's, which are not in this view: a change of those would
    # send every open meeting's view again) are collected for it.
    hashtags: tuple[str, ...] = ()
    # The title in Welsh ("" where there is none), as on items.
    title_cy: str = ""


@dataclass(frozen=True)
class MediaView:
    """A picture or video attached to a social post: shown as a link with its alt text, never
    loaded by the page (no request to a third party)."""

    url: str
    alt: str
    kind: str  # image, video, gif, audio, other


@dataclass(frozen=True)
class PostView:
    """Where a social post comes from: always shown with it (attributed, linking to the
    original)."""

    platform: str  # x, mastodon, bluesky
    url: str
    author_handle: str
    author_name: str
    posted_at: str
    language: str | None
    media: tuple[MediaView, ...]
    # The author's content warning: the text is shown folded behind it.
    content_warning: str | None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> PostView:
        media = tuple(MediaView(**m) if isinstance(m, dict) else m for m in data.get("media", ()))
        return cls(**{**data, "media": media})


@dataclass(frozen=True)
class WrittenView:
    """What every audience sees of a contribution: what was written, about which item (None:
    the meeting in general), under which name (None: show "A resident"). The three views of a
    contribution (public, own, staff) extend it. ``kind`` is ``comment``, ``question`` or
    ``post`` (a social media post, with its ``post`` attribution; null for the others)."""

    id: int
    item_id: int | None
    kind: str
    position: str | None
    body: str
    display_name: str | None
    post: PostView | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        # Decoded from JSON (an event read back from the log), the attribution is a dict.
        if isinstance(self.post, dict):
            object.__setattr__(self, "post", PostView.from_data(self.post))


@dataclass(frozen=True)
class ContributionView(WrittenView):
    """What everyone sees of a published comment or question."""

    votes: int
    answered: bool
    published_at: str | None


@dataclass(frozen=True)
class Snapshot:
    """A meeting's whole public state (``GET /api/meetings/{id}``) and the seq it reflects."""

    meeting: MeetingView
    items: list[ItemView]
    contributions: list[ContributionView]
    spotlight: ContributionView | None
    spotlight_pinned: bool
    last_seq: int


@dataclass(frozen=True)
class MeetingsPage:
    """One page of a list of meetings: ``page`` of ``ceil(total / page_size)``; ``next_page``
    is null on the last."""

    meetings: list[MeetingView]
    page: int
    page_size: int
    total: int
    next_page: int | None


@dataclass(frozen=True)
class Envelope:
    """A logged event as the log, the sockets and ``/events`` carry it. ``data`` depends on
    ``type`` (hub/events/schema.py; the OpenAPI description has one schema per type)."""

    seq: int
    type: str
    at: str
    data: dict[str, Any]


@dataclass(frozen=True)
class EventsPage:
    """Public events after a seq, and the meeting's last seq (``GET .../events``)."""

    events: list[Envelope]
    last_seq: int


@dataclass(frozen=True)
class ModerationSummary:
    """Transparency figures on residents' submissions (not social posts), counts only:
    published, waiting, and refused by reason code."""

    published: int
    pending: int
    rejected: dict[str, int]
    hidden: dict[str, int]


@dataclass(frozen=True)
class VoteAnswer:
    """A vote cast or withdrawn: the question's public view after it, and the caller's vote."""

    contribution: ContributionView
    voted: bool


@dataclass(frozen=True)
class ErrorView:
    """Every refusal: a stable code and what is wrong, in words. Some carry more fields
    (``last_seq``, ``first_seq``, ``reason``), as their routes document."""

    # Open: the schema allows the extra fields some refusals carry.
    OPEN: ClassVar[bool] = True

    error: str
    message: str


def display_statuses(items: Sequence[AgendaItem]) -> dict[int, str]:
    """Each item's ``display_status``, by id, from the whole agenda (a parent's depends on
    its sub-items, at any depth)."""
    children: dict[int | None, list[AgendaItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)

    def descendants(item: AgendaItem) -> list[AgendaItem]:
        found: list[AgendaItem] = []
        seen = {item.id}  # guards against a cycle in bad data
        todo = list(children.get(item.id, []))
        while todo:
            child = todo.pop()
            if child.id not in seen:
                seen.add(child.id)
                found.append(child)
                todo.extend(children.get(child.id, []))
        return found

    def taken(item: AgendaItem) -> bool:
        return item.started_at is not None or item.status in (ItemStatus.CURRENT, ItemStatus.DONE)

    shown: dict[int, str] = {}
    for item in items:
        if item.status != ItemStatus.PENDING:
            shown[item.id] = item.status
            continue
        below = descendants(item)
        if any(d.status == ItemStatus.CURRENT for d in below):
            shown[item.id] = UNDERWAY
        elif item.started_at is not None or any(taken(d) for d in below):
            shown[item.id] = DISCUSSED
        else:
            shown[item.id] = item.status
    return shown


def item_views(items: Sequence[AgendaItem]) -> list[ItemView]:
    """The public views of a meeting's items: every item but the private (restricted) ones,
    which no public page, snapshot or event ever carries. Pass the whole agenda: a parent's
    display status depends on its sub-items (see ``display_statuses``)."""
    shown = display_statuses(items)
    return [item_view(item, shown[item.id]) for item in items if not item.private]


def item_view(item: AgendaItem, display_status: str) -> ItemView:
    """One item's view; ``display_status`` comes from ``display_statuses`` over its agenda."""
    return ItemView(
        id=item.id,
        parent_id=item.parent_id,
        position=item.position,
        number=item.number,
        title=item.title,
        description=item.description,
        status=item.status,
        outcome=item.outcome,
        started_at=iso(item.started_at),
        ended_at=iso(item.ended_at),
        display_status=display_status,
        version=item.version,
        documents=document_views(item.documents),
        title_cy=item.title_cy or "",
        description_cy=item.description_cy or "",
    )


def meeting_view(meeting: Meeting) -> MeetingView:
    starts_at = iso(meeting.starts_at)
    assert starts_at is not None
    return MeetingView(
        id=meeting.id,
        council_slug=meeting.council.slug,
        council_name=meeting.council.name,
        timezone=meeting.council.timezone,
        language=meeting.council.default_language,
        title=meeting.title,
        body_name=meeting.body_name,
        starts_at=starts_at,
        location=meeting.location,
        webcast_url=meeting.webcast_url,
        status=meeting.status,
        submissions_open_at=iso(meeting.submissions_open_at),
        submissions_close_at=iso(meeting.submissions_close_at),
        submissions_wait_for_opening=(
            meeting.submissions_open_at is None
            and meeting.status == MeetingStatus.SCHEDULED
            and meeting.council.submissions_open == "meeting"
        ),
        status_version=meeting.status_version,
        documents=document_views(meeting.documents),
        source_url=meeting.source_url,
        hashtags=shown_hashtags(meeting.hashtags or ""),
        title_cy=meeting.title_cy or "",
    )


def written(c: Contribution) -> dict[str, Any]:
    """What every audience sees of a contribution: what was written, about which item, under
    which name (the fields its three views share)."""
    return {
        "id": c.id,
        "item_id": c.item_id,
        "kind": c.kind,
        "position": c.position,
        "body": c.body,
        "display_name": c.display_name,
        "post": post_view(c.post),
    }


def post_view(stored: str | None) -> PostView | None:
    """A post's attribution from the contribution's ``post`` JSON (hub/actions/social.py)."""
    return PostView.from_data(json.loads(stored)) if stored else None


def created_at(c: Contribution) -> str:
    created = iso(c.created_at)
    assert created is not None  # stored with every row
    return created


def contribution_view(c: Contribution) -> ContributionView:
    return ContributionView(
        **written(c),
        votes=c.votes,
        answered=c.answered,
        published_at=iso(c.published_at),
    )
