"""A council's profile: its name, logo and own host name; its colours (refused below WCAG AA);
its time zone and the languages its pages offer.

A council has no event log of its own. What a meeting's view shows (its council's name, time
zone and default language) reaches the open pages of its meetings that have not ended as a
``meeting.updated`` event on each; nothing else here is live state (a page shows the logo and
colours it loaded with).
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlalchemy import select

from hub import branding
from hub.actions import Conflict, Invalid, NotFound, storable
from hub.actions._locks import Actor
from hub.actions.audit import record
from hub.actions.councils import LANGUAGES, republish_meetings
from hub.events.publish import Writer
from hub.i18n import gettext_ as _
from hub.models import Council
from hub.queries.councils import council_by_slug

NAME_MAX_CHARS = 200  # councils.name
LOGO_URL_MAX_CHARS = 500  # councils.logo_url
HOST_MAX_CHARS = 253  # councils.host_name: a DNS name's limit
# Letters, digits and hyphens, at least two labels ("localhost" names no council's site).
HOST_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


async def _council(w: Writer, slug: str) -> Council:
    council = await council_by_slug(w.session, slug)
    if council is None:
        raise NotFound(_("There is no such council."))
    return council


def checked_name(name: str) -> str:
    name = " ".join(storable(name).split())
    if not name:
        raise Invalid(_("A council needs a name."))
    if len(name) > NAME_MAX_CHARS:
        raise Invalid(_("A council's name is at most %(n)d characters.") % {"n": NAME_MAX_CHARS})
    return name


def checked_logo(url: str) -> str:
    """An https URL of an image, or "" (no logo). Only https: its origin is added to the
    council's pages' CSP (img-src), and a page served over https cannot show an http image."""
    url = storable(url).strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if (
        len(url) > LOGO_URL_MAX_CHARS
        or parts.scheme != "https"
        or not parts.hostname
        or parts.username is not None
        or set(url) & set(" \"'<>\\;,")  # it goes into a CSP header as an origin and an attribute
    ):
        raise Invalid(_("The logo is the https:// address of an image (at most 500 characters)."))
    return url


def logo_origin(url: str) -> str:
    """The origin a council's pages allow images from, for its logo."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def checked_host(host: str) -> str | None:
    host = storable(host).strip().lower().rstrip(".")
    if not host:
        return None
    if not HOST_RE.match(host):
        raise Invalid(
            _("“%(host)s” is not a host name, such as meetings.aberglas.gov.uk.")
            % {"host": host[:80]}
        )
    return host


async def update_identity(
    w: Writer, slug: str, *, actor: Actor | None, name: str, logo_url: str, host_name: str
) -> Council:
    """The council's name, logo and own host name ("" for none). ``actor``: who (None: the
    command line). Its meetings' views carry its name: a new one reaches the open pages of
    those that have not ended; the logo and host name no page's live state holds."""
    council = await _council(w, slug)
    name, logo, host = checked_name(name), checked_logo(logo_url), checked_host(host_name)
    if host is not None and host != council.host_name:
        taken = await w.session.scalar(
            select(Council.id).where(Council.host_name == host, Council.id != council.id)
        )
        if taken is not None:
            raise Conflict(_("Another council uses the host name %(host)s.") % {"host": host})
    renamed = name != council.name
    changed = [
        field
        for field, old, new in (
            ("name", council.name, name),
            ("logo_url", council.logo_url, logo),
            ("host_name", council.host_name, host),
        )
        if old != new
    ]
    council.name, council.logo_url, council.host_name = name, logo, host
    await w.session.flush()
    if changed:
        await record(
            w,
            council_id=council.id,
            actor=actor,
            action="council.identity_changed",
            details={"fields": changed},
        )
    if renamed:  # meetings' views carry the council's name
        await republish_meetings(w, council)
    return council


def _too_low(ratio: float) -> str:
    least = branding.shown_ratio(branding.AA_NORMAL_TEXT)
    return _(
        "These colours have a contrast ratio of %(ratio)s; WCAG AA needs at least %(least)s."
    ) % {"ratio": branding.shown_ratio(ratio), "least": least}


async def set_colours(
    w: Writer, slug: str, *, actor: Actor | None, brand: str, on_brand: str
) -> Council:
    """The council's colour and the colour of text on it ("#rrggbb" or "#rgb"; both empty: the
    hub's own). Refused below WCAG AA (4.5:1) for text on the brand colour, and for the brand
    colour as text (links) on the page's backgrounds, with the ratio in the message."""
    council = await _council(w, slug)
    brand, on_brand = storable(brand).strip(), storable(on_brand).strip()
    if not brand and not on_brand:
        council.brand_colour = council.brand_text_colour = ""
        await _colours_recorded(w, council, actor)
        return council
    try:
        brand, on_brand = branding.normalised(brand), branding.normalised(on_brand)
    except ValueError:
        raise Invalid(
            _("Give both colours as hex codes such as #0b3d6b (or leave both empty).")
        ) from None
    ratio = branding.contrast_ratio(brand, on_brand)
    if ratio < branding.AA_NORMAL_TEXT:
        raise Invalid(_too_low(ratio))
    on_page = branding.weakest_on_page(brand)
    if on_page < branding.AA_NORMAL_TEXT:
        raise Invalid(
            _(
                "The brand colour is also used for links on the page's light background: there "
                "its contrast ratio is %(ratio)s; WCAG AA needs at least %(least)s. Choose a "
                "darker colour."
            )
            % {
                "ratio": branding.shown_ratio(on_page),
                "least": branding.shown_ratio(branding.AA_NORMAL_TEXT),
            }
        )
    council.brand_colour, council.brand_text_colour = brand, on_brand
    await _colours_recorded(w, council, actor)
    return council


async def _colours_recorded(w: Writer, council: Council, actor: Actor | None) -> None:
    await w.session.flush()
    await record(
        w,
        council_id=council.id,
        actor=actor,
        action="council.colours_set",
        details={
            "brand": council.brand_colour or "–",
            "text": council.brand_text_colour or "–",
        },
    )


def checked_languages(languages: Sequence[str], default: str) -> str:
    offered = [code for code in LANGUAGES if code in set(languages)]
    if not offered or set(languages) - set(LANGUAGES):
        raise Invalid(_("Offer English, Welsh or both."))
    if default not in offered:
        raise Invalid(_("The default language must be one the council offers."))
    return " ".join(offered)


def checked_zone(timezone: str) -> str:
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Invalid(_("“%(zone)s” is not a time zone.") % {"zone": timezone[:64]}) from None
    if timezone not in zone_names():  # not a path to a file that parses
        raise Invalid(_("“%(zone)s” is not a time zone.") % {"zone": timezone[:64]})
    return timezone


async def set_languages(
    w: Writer,
    slug: str,
    *,
    actor: Actor | None,
    timezone: str,
    languages: Sequence[str],
    default_language: str,
) -> Council:
    """The council's time zone, the languages its pages offer and its default. Its meetings'
    views show the zone and the default language, so a change of either reaches the open
    pages of its meetings that have not ended; which languages are offered, no page's live
    state holds."""
    council = await _council(w, slug)
    zone = checked_zone(timezone)
    offered = checked_languages(languages, default_language)
    shown = (zone, default_language) != (council.timezone, council.default_language)
    council.timezone, council.languages, council.default_language = zone, offered, default_language
    await w.session.flush()
    await record(
        w,
        council_id=council.id,
        actor=actor,
        action="council.languages_set",
        details={"timezone": zone, "languages": offered, "default": default_language},
    )
    if shown:
        await republish_meetings(w, council)
    return council


@functools.cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone this system knows, sorted (the admin's list to choose from). Cached:
    listing them reads the zone database's directory, ~600 files."""
    return tuple(sorted(zoneinfo.available_timezones()))
