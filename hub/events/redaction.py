"""What an event looks like once its contribution was taken down or erased: the same envelope
(type, seq, time, audience) with the contribution's text and name blanked. Used on the stored
log (hub/actions/redaction.py, in the takedown's transaction) and on every process's in-memory
ring (hub/live/channel.py), so no replay serves what was removed."""

from __future__ import annotations

import json
from typing import Any

# The fields of a contribution's views (hub/shapes) that hold what a resident wrote about
# themselves or others. Blanked, not dropped, so a redacted envelope keeps its shape.
BLANKED: dict[str, Any] = {"body": "", "display_name": None}


def redact_envelope(envelope: str) -> str:
    """The envelope with its contribution's personal fields blanked (unchanged if it carries
    none)."""
    parsed = json.loads(envelope)
    contribution = parsed.get("data", {}).get("contribution")
    if not isinstance(contribution, dict):
        return envelope
    contribution.update({k: v for k, v in BLANKED.items() if k in contribution})
    return json.dumps(parsed, separators=(",", ":"), ensure_ascii=False)
