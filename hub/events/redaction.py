"""What an event looks like once its contribution was taken down or erased: the same envelope
(type, seq, time, audience) with the contribution's text and name blanked. Used on the stored
log (hub/actions/redaction.py, in the takedown's transaction) and on every process's in-memory
ring (hub/live/channel.py), so no replay serves what was removed."""

from __future__ import annotations

import json
from typing import Any

# The fields of a contribution's views (hub/shapes) that hold what a resident wrote about
# themselves or others, and who they are. Blanked, not dropped, so an envelope keeps its shape.
# A takedown or an erasure blanks what was written and the name:
# For a social post, its attribution goes too (author, link, media).
TAKEDOWN: dict[str, Any] = {"body": "", "display_name": None, "post": None}
# The end of the council's retention period keeps the published record (the text of what was
# published) but not who wrote it: the name, and the pseudonym staff saw.
IDENTITY: dict[str, Any] = {"display_name": None, "participant": ""}
# What never-published text loses at the end of the retention period: everything.
EVERYTHING: dict[str, Any] = {**TAKEDOWN, **IDENTITY}


def redact_envelope(envelope: str, blanked: dict[str, Any] = TAKEDOWN) -> str:
    """The envelope with its contribution's ``blanked`` fields blanked (unchanged if it
    carries no contribution)."""
    parsed = json.loads(envelope)
    contribution = parsed.get("data", {}).get("contribution")
    if not isinstance(contribution, dict):
        return envelope
    contribution.update({k: v for k, v in blanked.items() if k in contribution})
    return json.dumps(parsed, separators=(",", ":"), ensure_ascii=False)
