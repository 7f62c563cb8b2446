"""Where an imported meeting's or item's fields stand against its source: which a clerk edited
here, what the source last said of each, and where the two now differ (the staff editor shows
it). Pure reads of the rows hub/actions/ingest.py keeps."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from hub.models import AgendaItem, Meeting


def edited(row: Meeting | AgendaItem) -> set[str]:
    return set((row.edited_fields or "").split())


def source_values(row: Meeting | AgendaItem) -> dict[str, Any]:
    """What the source last said of each imported field (JSON-ready values)."""
    try:
        values = json.loads(row.source_values or "{}")
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


def plain(value: Any) -> Any:
    """A field's value as ``source_values`` stores it."""
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def differs(row: Meeting | AgendaItem, name: str) -> Any | None:
    """The source's value of a field a clerk edited, when it is not the hub's: what the staff
    editor shows beside the field. None when they agree or the field was not edited."""
    if name not in edited(row):
        return None
    values = source_values(row)
    if name not in values:
        return None
    return values[name] if values[name] != plain(getattr(row, name)) else None
