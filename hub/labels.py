"""Translatable labels for statuses, shared by templates and the pages' scripts."""

from __future__ import annotations

from hub.i18n import gettext_ as _


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    return message


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

MISC = {
    "none_current": N_("No item is being discussed right now."),
    "outcome": N_("Outcome"),
}


def translated() -> dict[str, dict[str, str]]:
    """Every label in the current request's language, for a page's script."""
    return {
        "meeting": {k: _(v) for k, v in MEETING_STATUS.items()},
        "item": {k: _(v) for k, v in ITEM_STATUS.items()},
        "connection": {k: _(v) for k, v in CONNECTION.items()},
        "misc": {k: _(v) for k, v in MISC.items()},
    }
