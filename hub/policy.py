"""A council's participation policy, read from its row, and the submission window rules.

Pure functions of (policy, meeting, item, now): the action layer calls them inside its
transaction, the pages call them to say whether the form is open and why not.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from hub.i18n import N_
from hub.models import AgendaItem, Council, ItemStatus, Meeting, MeetingStatus

# Offered to every council; a council adds its own with its `rejection_reasons` lines.
DEFAULT_REASONS: dict[str, str] = {
    "off_topic": N_("Not about this item"),
    "abusive": N_("Abusive, offensive or discriminatory"),
    "personal": N_("Contains personal information about someone"),
    "duplicate": N_("Repeats an earlier submission"),
    "legal": N_("Could be unlawful (for example defamatory)"),
    "other": N_("Other"),
}

# Reasons the hub gives itself, never offered to a clerk to choose: labelled wherever a reason
# is shown (hub/actions/social_withdrawal.py withdraws a post deleted at its source with this one).
SYSTEM_REASONS: dict[str, str] = {
    "deleted_at_source": N_("Deleted at its source"),
}

# A hashtag as the platforms accept one: letters, digits and underscores (any script).
TAG_RE = re.compile(r"^\w{1,100}$")


def shown_hashtags(*texts: str) -> tuple[str, ...]:
    """The tags of one or more settings as people read them ("#AberglasCabinet": the case a
    clerk wrote), each once whatever its case (hub/queries/social.py tags_of: as polled)."""
    shown: dict[str, str] = {}
    for text in texts:
        for word in text.replace(",", " ").split():
            tag = word.strip().lstrip("#")
            if tag:
                shown.setdefault(tag.lower(), f"#{tag}")
    return tuple(shown.values())


@dataclass(frozen=True)
class Policy:
    moderation: str  # "pre" or "post"
    submissions_open: str  # "publication" or "meeting"
    close_items_when_done: bool
    max_chars: int
    max_links: int
    blocklist: tuple[str, ...]
    reasons: dict[str, str]
    rate_per_participant: int
    rate_per_address: int

    @property
    def premoderated(self) -> bool:
        return self.moderation != "post"


def policy_of(council: Council) -> Policy:
    reasons = dict(DEFAULT_REASONS)
    for line in (council.rejection_reasons or "").splitlines():
        code, sep, label = line.partition(":")
        if sep and code.strip() and label.strip():
            reasons[code.strip()] = label.strip()
    words = tuple(w.strip().lower() for w in (council.blocklist or "").splitlines() if w.strip())
    return Policy(
        moderation=council.moderation,
        submissions_open=council.submissions_open,
        close_items_when_done=council.close_items_when_done,
        max_chars=council.max_chars,
        max_links=council.max_links,
        blocklist=words,
        reasons=reasons,
        rate_per_participant=council.rate_per_participant,
        rate_per_address=council.rate_per_address,
    )


class Closed(enum.StrEnum):
    """Why the submission form is closed; each has a message on the page."""

    NOT_YET = "not_yet"  # before the window opens
    MEETING_OVER = "meeting_over"
    ITEM_CLOSED = "item_closed"  # the item is done, deferred or withdrawn


CLOSED_MESSAGES = {
    Closed.NOT_YET: N_("Comments and questions open when the meeting starts."),
    Closed.MEETING_OVER: N_("This meeting has ended: comments and questions are closed."),
    Closed.ITEM_CLOSED: N_("This item is finished: comments and questions on it are closed."),
}


def meeting_window(policy: Policy, meeting: Meeting, now: datetime) -> Closed | None:
    """None if the meeting takes submissions now, else why not."""
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
        return Closed.MEETING_OVER
    if meeting.submissions_close_at is not None and now >= meeting.submissions_close_at:
        return Closed.MEETING_OVER
    if meeting.submissions_open_at is not None:
        return None if now >= meeting.submissions_open_at else Closed.NOT_YET
    if policy.submissions_open == "meeting" and meeting.status == MeetingStatus.SCHEDULED:
        return Closed.NOT_YET
    return None


def item_window(policy: Policy, item: AgendaItem) -> Closed | None:
    if item.status == ItemStatus.WITHDRAWN:
        return Closed.ITEM_CLOSED
    if policy.close_items_when_done and item.status in (ItemStatus.DONE, ItemStatus.DEFERRED):
        return Closed.ITEM_CLOSED
    return None
