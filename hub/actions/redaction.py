"""Redaction: what a clerk takes down (or a resident erases, or a retention period ends) leaves
every copy the log serves, not only the page.

In the caller's transaction: every stored event about the contribution is rewritten with its
text and name blanked (hub/events/redaction.py; seqs, times and audiences stay, so the log stays
gap-free), so are the events this transaction has appended but not yet published, and a
``contribution.redacted`` event is appended, which tells every process to redact its in-memory
ring and every page to drop the text.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hub.events import log as event_log
from hub.events.publish import Writer
from hub.events.redaction import TAKEDOWN, redact_envelope
from hub.events.schema import ContributionRedacted


async def redact_contribution(
    w: Writer, meeting_id: int, contribution_id: int, blanked: dict[str, Any] = TAKEDOWN
) -> int:
    """Returns how many stored events were rewritten. (Rings blank the takedown's fields.)"""
    await w.session.flush()
    rewritten = await event_log.redact_subject(w.session, meeting_id, contribution_id, blanked)
    w.appended = [
        dataclasses.replace(ev, envelope=redact_envelope(ev.envelope, blanked))
        if ev.subject == contribution_id
        else ev
        for ev in w.appended
    ]
    await w.emit_many(meeting_id, [(ContributionRedacted(id=contribution_id), None)])
    return rewritten
