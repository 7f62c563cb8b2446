"""A council: one tenant of a deployment, with its own time zone and language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, UTCDateTime, utcnow


class Council(Base):
    __tablename__ = "councils"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # IANA zone: times are stored in UTC and shown in this zone (zoneinfo handles BST/GMT).
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    default_language: Mapped[str] = mapped_column(String(8), default="en")
    # The languages its pages offer residents (codes of hub/i18n.py, space-separated; the
    # default among them).
    languages: Mapped[str] = mapped_column(String(32), default="en cy", server_default="en cy")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # ---- participation policy (hub/policy.py reads these) ----
    # "pre": every submission waits for a clerk; "post": published at once unless screening
    # holds it.
    moderation: Mapped[str] = mapped_column(String(8), default="pre")
    # When submissions open: "publication" (as soon as the agenda is up) or "meeting" (when the
    # meeting opens). They close when the meeting closes, and per item when it is done (if set).
    submissions_open: Mapped[str] = mapped_column(String(16), default="publication")
    close_items_when_done: Mapped[bool] = mapped_column(Boolean, default=True)
    max_chars: Mapped[int] = mapped_column(Integer, default=1000)
    max_links: Mapped[int] = mapped_column(Integer, default=1)
    # One word or phrase a line; matched case-insensitively on word boundaries.
    blocklist: Mapped[str] = mapped_column(Text, default="")
    # Extra rejection reasons, one a line as "code: label"; the defaults are always offered.
    rejection_reasons: Mapped[str] = mapped_column(Text, default="")
    # Submissions per participant and per network address, per 10 minutes.
    rate_per_participant: Mapped[int] = mapped_column(Integer, default=5)
    rate_per_address: Mapped[int] = mapped_column(Integer, default=30)

    # ---- privacy (hub/actions/privacy.py) ----
    # Days residents' personal data is kept: then names, wards, participant ids and what was
    # never published are removed (the published record stays, without who wrote it).
    retention_days: Mapped[int] = mapped_column(Integer, default=365, server_default="365")
    # The council's privacy notice (plain text, paragraphs split by blank lines): who the
    # controller is, how to contact them, the lawful basis. Shown at /c/{slug}/privacy.
    privacy_notice: Mapped[str] = mapped_column(Text, default="", server_default="")

    # ---- social media (hub/actions/social.py, integrations/social/) ----
    # The council's own hashtags, one a line or separated by spaces (e.g. "#AberglasCouncil"):
    # every meeting of the council is polled for them, beside the meeting's own.
    hashtags: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Accounts whose posts are published without waiting for a clerk (the council's own,
    # councillors'), one a line as "platform:handle" (e.g. "mastodon:@aberglas@social.wales").
    # A content warning or a blocklisted word still holds a post for a clerk.
    social_allowlist: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Sources are polled from this long before a meeting starts until this long after it closes.
    social_window_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")

    # ---- the webcast (hub/webcast.py) ----
    # The council's own video players that its meetings' pages may embed, one https URL prefix
    # a line (YouTube and Vimeo need none: they are embedded without cookies or tracking).
    video_hosts: Mapped[str] = mapped_column(Text, default="", server_default="")
    # ---- open data (hub/shapes/opendata.py) ----
    # The licence the council publishes its meetings' public record under, named in every
    # export and on the resident page. A UK council gets the Open Government Licence v3.0 when
    # it is created (hub/actions/councils.py); empty means the council has not stated one.
    licence_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    licence_url: Mapped[str] = mapped_column(String(500), default="", server_default="")

    # ---- identity and branding (hub/actions/council_profile.py, hub/branding.py) ----
    # An https URL of the council's logo (its own website's); its pages allow images from that
    # one origin. Empty: no logo.
    logo_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # The council's colour (its pages' header, links) and the text drawn on it, "#rrggbb";
    # both empty: the hub's own. hub/branding.py checks both pairs reach WCAG AA.
    brand_colour: Mapped[str] = mapped_column(String(7), default="", server_default="")
    brand_text_colour: Mapped[str] = mapped_column(String(7), default="", server_default="")
    # A host name of the council's own (e.g. "meetings.aberglas.gov.uk") whose "/" is the
    # council's home page; None: none.
    host_name: Mapped[str | None] = mapped_column(
        String(253), unique=True, index=True, nullable=True
    )
