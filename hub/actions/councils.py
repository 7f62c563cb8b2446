"""Councils: creating one, changing its participation policy, and the licence its open data
is published under.

A council has no event log of its own; a policy change that open pages show (when submissions
open) reaches them as a ``meeting.updated`` event on each of its meetings that has not ended.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from sqlalchemy import select

from hub.actions import Conflict, Invalid, NotFound, storable
from hub.actions._locks import Actor, emit, lock_meeting
from hub.actions.audit import record
from hub.events.publish import Writer
from hub.events.schema import MeetingUpdated
from hub.i18n import gettext_ as _
from hub.models import Council, Meeting, MeetingStatus, Platform
from hub.policy import TAG_RE, shown_hashtags
from hub.queries.councils import council_by_slug
from hub.shapes.public import meeting_view

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
LANGUAGES = ("en", "cy")

# The policy fields ``update_policy`` takes, each with its type and the values it allows.
POLICY_CHOICES: dict[str, tuple[str, ...]] = {
    "moderation": ("pre", "post"),
    "submissions_open": ("publication", "meeting"),
}
POLICY_NUMBERS: dict[str, tuple[int, int]] = {  # name -> (least, most)
    "max_chars": (10, 10_000),
    "max_links": (0, 100),
    "rate_per_participant": (1, 10_000),
    "rate_per_address": (1, 100_000),
    # A month at least: time for a clerk to deal with a complaint about a meeting.
    "retention_days": (30, 3650),
    # Minutes before a meeting and after it closes that its social sources are polled.
    "social_window_minutes": (0, 24 * 60),
}
POLICY_FLAGS = ("close_items_when_done",)
POLICY_TEXTS = (
    "blocklist",
    "rejection_reasons",
    "privacy_notice",
    "hashtags",
    "social_allowlist",
    "video_hosts",
)
POLICY_TEXT_MAX_CHARS = 20_000
# What open pages show of the policy (the meeting's view): a change republishes its meetings.
# Not the council's hashtags: a page shows them as they were when it loaded (sending every open
# meeting's view again for them cost a second a save with 200 meetings open).
POLICY_SHOWN = ("submissions_open",)
HASHTAGS_MAX_CHARS = 300  # meetings.hashtags: a meeting's and a council's tags alike
ALLOWLIST_MAX_LINES = 500
HANDLE_MAX_CHARS = 200


def checked_hashtags(text: str) -> str:
    """Hashtags as stored: "#AberglasCouncil #AberglasCabinet" (the case as written, each
    once), from tags separated by spaces, commas or lines, with or without '#'."""
    tags = shown_hashtags(text)
    for tag in tags:
        if not TAG_RE.match(tag[1:]):
            raise Invalid(
                _("“%(tag)s” is not a hashtag: use letters, digits and underscores only.")
                % {"tag": tag}
            )
    stored = " ".join(tags)
    if len(stored) > HASHTAGS_MAX_CHARS:
        raise Invalid(
            _("Too many hashtags: at most %(n)d characters in all.") % {"n": HASHTAGS_MAX_CHARS}
        )
    return stored


def checked_allowlist(text: str) -> str:
    """The allowlist as stored: one "platform:handle" a line (blank lines dropped)."""
    lines = []
    platforms = ", ".join(p.value for p in Platform)
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        name, sep, handle = line.partition(":")
        name, handle = name.strip().lower(), handle.strip()
        if not sep or name not in {p.value for p in Platform} or not handle:
            raise Invalid(
                _("“%(line)s” is not “platform:handle” (the platform is one of %(platforms)s).")
                % {"line": line[:80], "platforms": platforms}
            )
        if len(handle) > HANDLE_MAX_CHARS or any(c.isspace() for c in handle):
            raise Invalid(_("“%(line)s”: a handle has no spaces.") % {"line": line[:80]})
        lines.append(f"{name}:{handle}")
    if len(lines) > ALLOWLIST_MAX_LINES:
        raise Invalid(_("The allowlist has at most %(n)d accounts.") % {"n": ALLOWLIST_MAX_LINES})
    return "\n".join(dict.fromkeys(lines))


# The licence a UK council's public record is published under unless it says otherwise: the
# Open Government Licence is the default for UK public sector information. A council is taken
# to be in the UK by its time zone; one elsewhere states its own (``set_licence``).
OGL_NAME = "Open Government Licence v3.0"
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
UK_ZONES = frozenset({"Europe/London", "Europe/Belfast", "GB", "GB-Eire"})
LICENCE_NAME_MAX_CHARS = 200  # councils.licence_name
LICENCE_URL_MAX_CHARS = 500  # councils.licence_url


async def create_council(
    w: Writer,
    *,
    slug: str,
    name: str,
    timezone: str = "Europe/London",
    language: str = "en",
    languages: Sequence[str] = LANGUAGES,
    moderation: str = "pre",
    actor: Actor | None = None,
) -> Council:
    """A new council (one tenant of the deployment). ``actor``: who (None: the command line
    or the demo)."""
    # Imported here: council_profile builds on this module (republish_meetings, LANGUAGES).
    from hub.actions.council_profile import checked_languages, checked_name

    if not SLUG_RE.match(slug):
        raise Invalid(
            _("A council's short name is lower-case letters, digits and hyphens, such as aberglas.")
        )
    name = checked_name(name)
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Invalid(_("“%(zone)s” is not a time zone.") % {"zone": timezone[:64]}) from None
    if language not in LANGUAGES:
        raise Invalid(_("The default language must be one the council offers."))
    offered = checked_languages(languages, language)
    if moderation not in POLICY_CHOICES["moderation"]:
        raise Invalid(_("Choose moderation before or after publication."))
    if await council_by_slug(w.session, slug) is not None:
        raise Conflict(
            _("There is already a council with the short name %(slug)s.") % {"slug": slug}
        )
    uk = timezone in UK_ZONES
    council = Council(
        slug=slug,
        name=name,
        timezone=timezone,
        default_language=language,
        languages=offered,
        moderation=moderation,
        licence_name=OGL_NAME if uk else "",
        licence_url=OGL_URL if uk else "",
    )
    w.session.add(council)
    await w.session.flush()
    await record(
        w,
        council_id=council.id,
        actor=actor,
        action="council.created",
        details={"slug": council.slug, "name": council.name},
    )
    return council


def _checked(name: str, value: object) -> object:
    if name in POLICY_CHOICES:
        if value not in POLICY_CHOICES[name]:
            raise Invalid(f"{name} is {' or '.join(POLICY_CHOICES[name])}")
    elif name in POLICY_NUMBERS:
        least, most = POLICY_NUMBERS[name]
        if not isinstance(value, int) or isinstance(value, bool) or not least <= value <= most:
            raise Invalid(f"{name} is a whole number from {least} to {most}")
    elif name in POLICY_FLAGS:
        if not isinstance(value, bool):
            raise Invalid(f"{name} is true or false")
    elif name in POLICY_TEXTS:
        if not isinstance(value, str) or len(value) > POLICY_TEXT_MAX_CHARS:
            raise Invalid(f"{name} is text of at most {POLICY_TEXT_MAX_CHARS} characters")
        value = storable(value)
        if name == "hashtags":
            value = checked_hashtags(value)
        elif name == "social_allowlist":
            value = checked_allowlist(value)
    else:
        raise Invalid(f"unknown policy field {name!r}")
    return value


async def update_policy(
    w: Writer, slug: str, changes: Mapping[str, object], *, actor: Actor | None = None
) -> Council:
    """Change a council's participation policy (hub/policy.py reads it). ``actor``: who (None:
    the command line)."""
    council = await council_by_slug(w.session, slug)
    if council is None:
        raise NotFound(f"no council {slug!r}")
    checked = {name: _checked(name, value) for name, value in changes.items()}
    # What a meeting's view shows (when submissions open): no event otherwise.
    shown = any(
        name in checked and checked[name] != getattr(council, name) for name in POLICY_SHOWN
    )
    changed = sorted(name for name, value in checked.items() if getattr(council, name) != value)
    for name, value in checked.items():
        setattr(council, name, value)
    await w.session.flush()
    if changed:
        # Which settings changed, not their values: a blocklist is long, and not for the log.
        await record(
            w,
            council_id=council.id,
            actor=actor,
            action="council.policy_changed",
            details={"fields": changed},
        )
    if shown:
        await republish_meetings(w, council)
    return council


async def republish_meetings(w: Writer, council: Council) -> None:
    """Every meeting of the council that has not ended gets its view again (an ended
    meeting's view does not depend on the policy), so open pages follow the change."""
    ids = await w.session.scalars(
        select(Meeting.id).where(
            Meeting.council_id == council.id,
            Meeting.status.not_in([MeetingStatus.CLOSED.value, MeetingStatus.CANCELLED.value]),
        )
    )
    for meeting_id in sorted(ids):  # locked in id order, like every multi-meeting writer
        meeting = await lock_meeting(w, meeting_id)
        await emit(w, meeting_id, [MeetingUpdated(meeting=meeting_view(meeting))])


async def set_licence(
    w: Writer, slug: str, name: str, url: str, *, actor: Actor | None = None
) -> Council:
    """The licence the council's meetings' public record is published under (every export and
    the resident page name it); both empty: the council states none. No event: no page's live
    state holds it, and exports are read fresh (their ETag changes with it)."""
    council = await council_by_slug(w.session, slug)
    if council is None:
        raise NotFound(f"no council {slug!r}")
    name, url = storable(name).strip(), storable(url).strip()
    if bool(name) != bool(url):
        raise Invalid(_("a licence needs both a name and the URL of its text (or neither)"))
    if len(name) > LICENCE_NAME_MAX_CHARS:
        raise Invalid(
            _("A licence's name is at most %(n)d characters.") % {"n": LICENCE_NAME_MAX_CHARS}
        )
    if len(url) > LICENCE_URL_MAX_CHARS:
        raise Invalid(
            _("A licence's URL is at most %(n)d characters.") % {"n": LICENCE_URL_MAX_CHARS}
        )
    if url:
        parts = urlsplit(url)
        # No space, quote or angle bracket: it goes into a Link header as <url>.
        if parts.scheme not in ("http", "https") or not parts.netloc or set(url) & set(' "<>'):
            raise Invalid(_("a licence's URL is an http:// or https:// address"))
    council.licence_name = name
    council.licence_url = url
    await w.session.flush()
    await record(
        w, council_id=council.id, actor=actor, action="council.licence_set", details={"name": name}
    )
    return council
