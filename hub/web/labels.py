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
        "misc": {k: _(v) for k, v in MISC.items()},
    }
