"""The council audit log's entries as sentences in the reader's language: each action code
(hub/actions/audit.py ACTIONS) has one, filled in from the entry's details; settings and roles
are named in words, not as the codes they are stored as."""

from __future__ import annotations

from typing import Any

from hub.i18n import LANGUAGES, N_
from hub.i18n import gettext_ as _
from hub.web.labels import staff_roles

SENTENCES = {
    "council.created": N_("Created the council %(name)s (%(slug)s)."),
    "council.policy_changed": N_("Changed the council's settings: %(fields)s."),
    "council.licence_set": N_("Set the licence of the public record to “%(name)s”."),
    "council.identity_changed": N_("Changed the council's identity: %(fields)s."),
    "council.colours_set": N_("Set the council's colours: %(brand)s with text in %(text)s."),
    "council.languages_set": N_(
        "Set the council's languages to %(languages)s (by default %(default)s) and its time "
        "zone to %(timezone)s."
    ),
    "social_source.added": N_("Added the social media source %(name)s (%(platform)s)."),
    "social_source.credentials_set": N_(
        "Changed the credentials of the social media source %(name)s."
    ),
    "social_source.removed": N_("Removed the social media source %(name)s."),
    "agenda_source.added": N_("Added the agenda source %(name)s (%(kind)s)."),
    "agenda_source.removed": N_("Removed the agenda source %(name)s."),
    "staff.added": N_("Gave %(name)s (%(email)s) the role %(role)s."),
    "staff.role_changed": N_(
        "Changed the role of %(name)s (%(email)s) from %(previous)s to %(role)s."
    ),
    "staff.removed": N_("Removed %(name)s (%(email)s), %(role)s, from the council's staff."),
    "staff.deactivated": N_("Deactivated the account of %(name)s (%(email)s)."),
    "staff.reactivated": N_("Reactivated the account of %(name)s (%(email)s)."),
    "staff.password_set": N_("Set a new password for %(name)s (%(email)s)."),
    "invite.created": N_("Invited %(email)s to join as %(role)s."),
    "invite.revoked": N_("Revoked the invitation of %(email)s (%(role)s)."),
    "invite.accepted": N_("%(name)s (%(email)s) accepted the invitation to join as %(role)s."),
}
UNKNOWN = N_("Made a change (%(code)s).")

# The council's settings by the names update_policy stores them under.
SETTINGS = {
    "moderation": N_("moderation"),
    "submissions_open": N_("when submissions open"),
    "max_chars": N_("longest submission"),
    "max_links": N_("links allowed"),
    "rate_per_participant": N_("submissions a resident may send"),
    "rate_per_address": N_("submissions a network may send"),
    "retention_days": N_("retention period"),
    "social_window_minutes": N_("social media window"),
    "close_items_when_done": N_("closing items when done"),
    "blocklist": N_("blocklist"),
    "rejection_reasons": N_("rejection reasons"),
    "privacy_notice": N_("privacy notice"),
    "hashtags": N_("hashtags"),
    "social_allowlist": N_("social media allowlist"),
    "video_hosts": N_("video hosts"),
    # The council's identity (hub/actions/council_profile.py).
    "name": N_("name"),
    "logo_url": N_("logo"),
    "host_name": N_("own host name"),
}

SOURCE_KINDS = {
    "moderngov": "Modern.gov",
    "legistar": "Legistar",
    "ocd": "Open Civic Data",
    "ical": "iCalendar",
    "x": "X",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
}


class _Blank(dict[str, Any]):
    """Details an old entry lacks read as a dash rather than failing the page."""

    def __missing__(self, key: str) -> str:
        return "–"


def sentence(action: str, details: dict[str, Any]) -> str:
    """The entry as a sentence in the current language."""
    template = SENTENCES.get(action)
    if template is None:
        return _(UNKNOWN) % {"code": action}
    roles = staff_roles()
    values = _Blank(details)
    for key in ("role", "previous"):
        if key in details:
            values[key] = roles.get(str(details[key]), str(details[key]))
    for key in ("kind", "platform"):
        if key in details:
            values[key] = SOURCE_KINDS.get(str(details[key]), str(details[key]))
    # Languages by their own names (as the language switch shows them).
    if "languages" in details:
        codes = str(details["languages"]).split()
        values["languages"] = ", ".join(LANGUAGES.get(c, c) for c in codes)
    if "default" in details:
        values["default"] = LANGUAGES.get(str(details["default"]), str(details["default"]))
    if isinstance(details.get("fields"), list):
        values["fields"] = ", ".join(
            _(SETTINGS[f]) if f in SETTINGS else str(f) for f in details["fields"]
        )
    return _(template) % values
