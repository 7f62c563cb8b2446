"""Translatable labels for statuses, shared by templates and the pages' scripts."""

from __future__ import annotations

from hub.i18n import N_
from hub.i18n import gettext_ as _

MEETING_STATUS = {
    "scheduled": N_("Scheduled"),
    "live": N_("In session"),
    "adjourned": N_("Adjourned"),
    "closed": N_("Closed"),
    "cancelled": N_("Cancelled"),
}

ITEM_STATUS = {
    "pending": N_("Not yet discussed"),
    "current": N_("Being discussed now"),
    "done": N_("Done"),
    "deferred": N_("Deferred"),
    "withdrawn": N_("Withdrawn"),
    # Display statuses (hub/shapes/public.py): a pending item whose sub-item is being
    # discussed, and one that has been taken without an outcome yet.
    "underway": N_("Under way"),
    "discussed": N_("Discussed"),
}

CONNECTION = {
    "connecting": N_("Connecting…"),
    "live": N_("Live: updates appear as they happen"),
    "reconnecting": N_("Connection lost: reconnecting…"),
    "offline": N_("Offline: showing the last known state"),
}

POSITION = {
    "support": N_("Support"),
    "oppose": N_("Oppose"),
    "neutral": N_("Neutral"),
}

KIND = {
    "comment": N_("Comment"),
    "question": N_("Question"),
}

CONTRIBUTION_STATUS = {
    "pending": N_("Waiting for moderation"),
    "published": N_("Published"),
    "rejected": N_("Not published"),
    "hidden": N_("Taken down"),
}

SCREENING = {
    "links": N_("Contains links"),
    "blocklist": N_("Contains a blocked word"),
    "duplicate": N_("Repeats an earlier submission"),
}

# What a clerk did, as the console's activity log says it (the log's staff.action.recorded).
CLERK_ACTION = {
    "meeting.open": N_("Opened the meeting"),
    "meeting.adjourn": N_("Adjourned the meeting"),
    "meeting.resume": N_("Resumed the meeting"),
    "meeting.close": N_("Closed the meeting"),
    "meeting.cancel": N_("Cancelled the meeting"),
    "meeting.window": N_("Changed when comments and questions are taken"),
    "item.current": N_("Made an item current"),
    "item.done": N_("Marked an item done"),
    "item.deferred": N_("Deferred an item"),
    "item.withdrawn": N_("Withdrew an item"),
    "item.pending": N_("Put an item back to pending"),
}

# What happened to a submission, as the moderation page and the moderation log say it.
MODERATION_ACTION = {
    "submitted": N_("Passed the automatic checks"),
    "approve": N_("Approved"),
    "reject": N_("Rejected"),
    "hide": N_("Taken down"),
    "answer": N_("Marked answered"),
    "unanswer": N_("Marked not answered"),
    "spotlight": N_("Shown on screen"),
    "unspotlight": N_("Taken off the screen"),
    "block": N_("Participant blocked"),
}

MISC = {
    "none_current": N_("No item is being discussed right now."),
    "outcome": N_("Outcome"),
    "anonymous": N_("A resident"),
    "general": N_("The meeting in general"),
}


def translated() -> dict[str, dict[str, str]]:
    """Every label in the current request's language, for a page's script."""
    return {
        "meeting": {k: _(v) for k, v in MEETING_STATUS.items()},
        "item": {k: _(v) for k, v in ITEM_STATUS.items()},
        "connection": {k: _(v) for k, v in CONNECTION.items()},
        "position": {k: _(v) for k, v in POSITION.items()},
        "kind": {k: _(v) for k, v in KIND.items()},
        "contribution": {k: _(v) for k, v in CONTRIBUTION_STATUS.items()},
        "screening": {k: _(v) for k, v in SCREENING.items()},
        "clerk_action": {k: _(v) for k, v in CLERK_ACTION.items()},
        "moderation_action": {k: _(v) for k, v in MODERATION_ACTION.items()},
        "misc": {k: _(v) for k, v in MISC.items()},
    }
