"""Open data: what the exports carry (docs/open-data.md). Built from the public views only, so
an export holds exactly what the resident page shows and nothing else: no participant ids, no
wards, nothing unpublished or taken down.

- ``MeetingRecord``: a meeting's public record (``export.json``), with the council's licence;
- ``ocd_event``: the same meeting as an Open Civic Data event with its agenda (pupa's event
  schema: tests/web/test_exports.py validates against it).

Social posts (issue #11, contributions of kind ``post``) are exported with their attribution
(platform, link to the original, author, time) and marked as what they are: other people's
words from other platforms, which the council's licence does not cover (``POST_RIGHTS``; the
CSV's ``rights`` column, the record's ``posts_rights``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hub import i18n
from hub.i18n import N_
from hub.models import Council
from hub.shapes.public import ContributionView, ItemView, MeetingView, ModerationSummary

ATTRIBUTION = N_(
    "Contains public sector information from %(council)s, published under the %(licence)s."
)
NO_LICENCE = N_("%(council)s has not stated a licence for this information.")

# A meeting's status as an OCD event's (``cancelled``, ``tentative``, ``confirmed``, ``passed``).
OCD_STATUS = {
    "scheduled": "confirmed",
    "live": "confirmed",
    "adjourned": "confirmed",
    "closed": "passed",
    "cancelled": "cancelled",
}
OCD_CLASSIFICATION = "committee-meeting"
# The kinds of contribution the exports carry: residents' comments and questions, and the social
# posts a clerk published (with their attribution, and POST_RIGHTS instead of the licence).
EXPORTED_KINDS = frozenset({"comment", "question", "post"})
POST_RIGHTS = N_(
    "Social media posts are their authors' own words, shown as published on their platforms; "
    "the council's licence does not cover them."
)


@dataclass(frozen=True)
class LicenceView:
    """The licence the council publishes the record under. ``name`` and ``url`` are null when
    it has stated none; ``attribution`` is the statement to show with the data, in the
    council's language."""

    name: str | None
    url: str | None
    attribution: str


def licence_view(council: Council) -> LicenceView:
    values = {"council": council.name, "licence": council.licence_name}
    if council.licence_name:
        text = i18n.translate(council.default_language, ATTRIBUTION) % values
        return LicenceView(council.licence_name, council.licence_url, text)
    return LicenceView(None, None, i18n.translate(council.default_language, NO_LICENCE) % values)


@dataclass(frozen=True)
class MeetingRecord:
    """A meeting's public record (``GET /api/meetings/{id}/export.json``): the meeting, its
    agenda with each item's times and outcome, its published comments and questions under the
    council's licence, the social posts published beside them (attributed: ``posts_rights``),
    the moderation figures; ``last_seq`` is the last event it
    reflects."""

    licence: LicenceView
    meeting: MeetingView
    items: list[ItemView]
    contributions: list[ContributionView]
    moderation: ModerationSummary
    last_seq: int
    # What may be done with the social posts among ``contributions`` (each carries its ``post``
    # attribution): not the council's licence.
    posts_rights: str


def _ocd_time(value: str | None) -> str:
    """An RFC 3339 time as the OCD schema's pattern takes it: whole seconds, with an offset."""
    if value is None:
        return ""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    return parsed.isoformat(timespec="seconds")


def ocd_event(record: MeetingRecord, page_url: str, api_url: str) -> dict[str, Any]:
    """The meeting as an Open Civic Data event (the shape pupa writes: see
    tests/integrations/samples/ocd-event.json), with its agenda; the hub's own figures (item times,
    outcomes, statuses) and the licence go in ``extras``."""
    m = record.meeting
    media = []
    if m.webcast_url:
        media.append(
            {
                "name": "Webcast",
                "type": "webcast",
                "date": m.starts_at[:10],
                "offset": None,
                "links": [{"media_type": "text/html", "url": m.webcast_url}],
            }
        )
    agenda = []
    for item in record.items:
        agenda.append(
            {
                "description": item.title or item.number or "-",
                "classification": [],
                "order": item.number or str(item.position),
                "subjects": [],
                "media": [],
                "notes": [item.outcome] if item.outcome else [],
                "related_entities": [],
                "extras": {
                    "hub_item_id": item.id,
                    "parent_item_id": item.parent_id,
                    "status": item.status,
                    "started_at": _ocd_time(item.started_at),
                    "ended_at": _ocd_time(item.ended_at),
                },
            }
        )
    return {
        "name": m.title,
        "all_day": False,
        "start_date": _ocd_time(m.starts_at),
        "end_date": "",
        "status": OCD_STATUS.get(m.status, "confirmed"),
        "classification": OCD_CLASSIFICATION,
        "description": "",
        "location": {"name": m.location, "note": "", "coordinates": None} if m.location else None,
        "media": media,
        "documents": [],
        "links": [{"note": "Meeting page", "url": page_url}],
        "participants": [
            {"name": m.body_name or m.council_name, "entity_type": "organization", "note": "host"}
        ],
        "agenda": agenda,
        "sources": [{"url": api_url, "note": "api"}, {"url": page_url, "note": "web"}],
        "extras": {
            "council": m.council_slug,
            "council_name": m.council_name,
            "timezone": m.timezone,
            "hub_meeting_id": m.id,
            "hub_status": m.status,
            "licence": {
                "name": record.licence.name,
                "url": record.licence.url,
                "attribution": record.licence.attribution,
            },
        },
    }
