"""The console's activity log as sentences a clerk reads at a glance, in their language.

One rule for the sentence, in two places that must agree: here (the page as served, and the
no-script console) and ``activitySentence`` in static/js/pages/console.js (live updates). Both
fill the same translated templates (hub/web/labels.py's ACTIVITY and ACTIVITY_WHAT, which the
page hands its script in its ``strings``), so a sentence reads the same either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hub.web.staff.acting import clock_time


def fill(template: str, values: Mapping[str, object]) -> str:
    """``{name}`` placeholders filled in (as dom.js's fill does: no format spec, no escapes)."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", str(value))
    return template


def activity_sentence(
    envelope: Mapping[str, Any], numbers: Mapping[int, str], labels: Mapping[str, Any]
) -> str:
    """One staff envelope (``staff.action.recorded`` or ``moderation.item``) as a sentence.
    ``numbers``: the meeting's item numbers by id; ``labels``: labels.activity_words()."""
    words: Mapping[str, str] = labels["activity"]
    data: Mapping[str, Any] = envelope.get("data") or {}
    actor = data.get("actor") or words["someone"]
    if envelope.get("type") == "moderation.item":
        c: Mapping[str, Any] = data.get("contribution") or {}
        item_id = c.get("item_id")
        number = numbers.get(item_id, "?") if item_id is not None else ""
        kind = c.get("kind") if c.get("kind") in ("question", "post") else "comment"
        scope = f"{kind}.{'item' if item_id is not None else 'general'}"
        # A post's author is no resident: unnamed (a redacted one), they are "someone".
        name = c.get("display_name") or (
            words["someone_lower"] if kind == "post" else words["a_resident"]
        )
        what: Mapping[str, str] = labels["activity_what"]
        values = {
            "actor": actor,
            "resident": c.get("display_name")
            or (words["someone"] if kind == "post" else words["A_resident"]),
            "what": fill(what[scope], {"number": number}),
            "what_by": fill(what[f"{scope}.by"], {"number": number, "name": name}),
            "what_to": fill(what[f"{scope}.to"], {"number": number, "name": name}),
        }
        template = words.get(f"moderation.{data.get('action')}", words["other"])
        return fill(template, values)
    item_id = data.get("item_id")
    number = numbers.get(item_id, "?") if item_id is not None else ""
    sentence = fill(
        words.get(str(data.get("action")), words["other"]), {"actor": actor, "number": number}
    )
    note = data.get("note")
    if note:
        sentence = fill(words["with_note"], {"sentence": sentence, "note": note})
    return sentence


def activity_lines(
    envelopes: list[dict[str, Any]],
    items: list[dict[str, Any]],
    labels: Mapping[str, Any],
    timezone: str,
) -> list[dict[str, Any]]:
    """The log newest first, each entry's seq, time (ISO, and to the second in the council's
    zone) and sentence, for the console's template."""
    numbers = {item["id"]: item["number"] for item in items}
    return [
        {
            "seq": e["seq"],
            "at": e["at"],
            "time": clock_time(datetime.fromisoformat(e["at"].replace("Z", "+00:00")), timezone),
            "text": activity_sentence(e, numbers, labels),
        }
        for e in reversed(envelopes)
    ]
