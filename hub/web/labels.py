"""Translatable labels for statuses, shared by templates and the pages' scripts."""

from __future__ import annotations

from hub.i18n import N_
from hub.i18n import gettext_ as _
from hub.policy import SYSTEM_REASONS

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
    "post": N_("Social media post"),
}

# Where a social media post comes from (the platforms' own names).
PLATFORM = {
    "x": N_("X"),
    "mastodon": N_("Mastodon"),
    "bluesky": N_("Bluesky"),
}

# What a social media post's attachment is: shown as a link with its alt text, never loaded.
MEDIA = {
    "image": N_("Picture"),
    "gif": N_("Animated picture"),
    "video": N_("Video"),
    "audio": N_("Audio"),
    "other": N_("Attachment"),
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
    # Social media posts (hub/actions/social.py).
    "content_warning": N_("Has a content warning"),
    "not_public": N_("Author opted out of public display"),
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
    "move": N_("Moved"),
    "withdraw": N_("Withdrawn: deleted at its source"),
    "edited": N_("Edited by its author"),
}

# The console's activity log as sentences (hub/web/staff/activity.py fills them for the page,
# static/js/pages/console.js the same strings, from its "strings", for live updates). {actor}:
# the clerk; {number}: an item's number; {what} / {what_by}: a submission (ACTIVITY_WHAT);
# {resident}: its sender at the start of a sentence, {name} within one.
ACTIVITY = {
    "meeting.open": N_("{actor} opened the meeting"),
    "meeting.adjourn": N_("{actor} adjourned the meeting"),
    "meeting.resume": N_("{actor} resumed the meeting"),
    "meeting.close": N_("{actor} closed the meeting"),
    "meeting.cancel": N_("{actor} cancelled the meeting"),
    "meeting.window": N_("{actor} changed when comments and questions are taken"),
    "item.current": N_("{actor} made item {number} current"),
    "item.done": N_("{actor} marked item {number} done"),
    "item.deferred": N_("{actor} deferred item {number}"),
    "item.withdrawn": N_("{actor} withdrew item {number}"),
    "item.pending": N_("{actor} put item {number} back to pending"),
    # The agenda editor and imports ({actor} is the source's name for an import).
    "meeting.imported": N_("{actor} updated the meeting from its source"),
    "meeting.details": N_("{actor} changed the meeting's details"),
    "agenda.add": N_("{actor} added item {number}"),
    "agenda.edit": N_("{actor} edited item {number}"),
    "agenda.private": N_("{actor} made item {number} private"),
    "agenda.public": N_("{actor} made item {number} public"),
    "agenda.up": N_("{actor} moved item {number} up"),
    "agenda.down": N_("{actor} moved item {number} down"),
    "agenda.indent": N_("{actor} made item {number} a sub-item"),
    "agenda.outdent": N_("{actor} made item {number} a main item"),
    "moderation.submitted": N_("{resident} submitted {what}"),
    "moderation.approve": N_("{actor} published {what_by}"),
    "moderation.reject": N_("{actor} rejected {what_by}"),
    "moderation.hide": N_("{actor} took down {what_by}"),
    "moderation.answer": N_("{actor} marked {what_by} answered"),
    "moderation.unanswer": N_("{actor} marked {what_by} not answered"),
    "moderation.spotlight": N_("{actor} showed {what_by} on the chamber screen"),
    "moderation.unspotlight": N_("{actor} took {what_by} off the chamber screen"),
    "moderation.block": N_("{actor} blocked the resident who sent {what}"),
    "moderation.move": N_("{actor} moved {what_to}"),
    "moderation.withdraw": N_("{actor} withdrew {what_by}: deleted at its source"),
    "moderation.edited": N_("{resident} edited {what}"),
    "meeting.hashtags": N_("{actor} changed the meeting's hashtags"),
    # Anything newer than this table: still a sentence, if a plainer one.
    "other": N_("{actor} acted on the meeting"),
    "with_note": N_("{sentence}: “{note}”"),
    "a_resident": N_("a resident"),
    "A_resident": N_("A resident"),
    "someone": N_("Someone"),
    "someone_lower": N_("someone"),
}

# A submission in those sentences, by its kind and whether it is about an item.
ACTIVITY_WHAT = {
    "comment.item": N_("a comment on item {number}"),
    "comment.general": N_("a comment on the meeting in general"),
    "question.item": N_("a question on item {number}"),
    "question.general": N_("a question on the meeting in general"),
    "comment.item.by": N_("a comment by {name} on item {number}"),
    "comment.general.by": N_("a comment by {name} on the meeting in general"),
    "question.item.by": N_("a question by {name} on item {number}"),
    "question.general.by": N_("a question by {name} on the meeting in general"),
    "post.item": N_("a social media post on item {number}"),
    "post.general": N_("a social media post on the meeting in general"),
    "post.item.by": N_("a social media post by {name} on item {number}"),
    "post.general.by": N_("a social media post by {name} on the meeting in general"),
    # Where a clerk moved it.
    "comment.item.to": N_("a comment by {name} to item {number}"),
    "comment.general.to": N_("a comment by {name} to the meeting in general"),
    "question.item.to": N_("a question by {name} to item {number}"),
    "question.general.to": N_("a question by {name} to the meeting in general"),
    "post.item.to": N_("a social media post by {name} to item {number}"),
    "post.general.to": N_("a social media post by {name} to the meeting in general"),
}

# A social media post, wherever it is shown (hub/templates/_posts.html, static/js/posts.js).
# {placeholders} are filled by the template or the script.
POST = {
    "on_platform": N_("on {platform}"),
    "original": N_("View the original on {platform}"),
    "original_by": N_("(the post by {name})"),
    "warning": N_("Content warning: {warning}"),
    "media": N_("{kind}: {alt}"),
    "media_no_alt": N_("{kind} (no description)"),
}

MISC = {
    "none_current": N_("No item is being discussed right now."),
    "outcome": N_("Outcome"),
    "anonymous": N_("A resident"),
    "general": N_("The meeting in general"),
}

# A role in one council (hub/models/accounts.py Role), and the deployment's own.
STAFF_ROLE = {
    "admin": N_("Council admin"),
    "clerk": N_("Clerk"),
    "councillor": N_("Councillor"),
    "deployment": N_("Deployment admin"),
}


def staff_roles() -> dict[str, str]:
    return {k: _(v) for k, v in STAFF_ROLE.items()}


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
        "platform": {k: _(v) for k, v in PLATFORM.items()},
        "media": {k: _(v) for k, v in MEDIA.items()},
        # Reasons the hub gives itself (never offered to choose): shown beside the council's.
        "system_reason": {k: _(v) for k, v in SYSTEM_REASONS.items()},
        "moderation_action": {k: _(v) for k, v in MODERATION_ACTION.items()},
        "post": {k: _(v) for k, v in POST.items()},
        "misc": {k: _(v) for k, v in MISC.items()},
    }


def activity_words() -> dict[str, dict[str, str]]:
    """The console's activity sentences in the current request's language: for the console
    only (its template and its script), not every page's labels."""
    return {
        "activity": {k: _(v) for k, v in ACTIVITY.items()},
        "activity_what": {k: _(v) for k, v in ACTIVITY_WHAT.items()},
    }


# Social sources, for staff (the sources page and the console's panel): each platform's name,
# each state (hub/shapes/staff.py's SOURCE_STATES), and the panel's field names.
PLATFORM = {
    "x": N_("X (Twitter)"),
    "mastodon": N_("Mastodon"),
    "bluesky": N_("Bluesky"),
}
SOURCE_STATE = {
    "ok": N_("Working"),
    "waiting": N_("Not polled yet"),
    "failing": N_("Failing: trying again later"),
    "rate_limited": N_("Rate limited: waiting"),
    "stopped": N_("Stopped: needs new credentials"),
    "disabled": N_("Turned off"),
}
SOURCE_FIELDS = {
    "last_success_at": N_("Last success"),
    "posts_fetched": N_("Posts fetched"),
    "next_poll_at": N_("Next poll"),
    "rate_limit_reset_at": N_("Rate limit resets"),
    "last_error": N_("Last error"),
    "stopped_reason": N_("Why it stopped"),
    "credentials": N_("Credentials"),
    "never": N_("Never"),
    "not_scheduled": N_("Not scheduled"),
    "set": N_("Set"),
    "not_set": N_("Not set"),
    "not_needed": N_("Not needed"),
    "none": N_("No social media sources are set up for this council."),
}


def social_words() -> dict[str, dict[str, str]]:
    """Words about social sources in the current request's language (staff pages only)."""
    return {
        "platform": {k: _(v) for k, v in PLATFORM.items()},
        "state": {k: _(v) for k, v in SOURCE_STATE.items()},
        "field": {k: _(v) for k, v in SOURCE_FIELDS.items()},
    }
