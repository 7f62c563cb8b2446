"""The broker's wire format: how committed events travel between processes.

One broker message carries one commit's events for one meeting (hub/events/publish.py), so an
action's events reach every process together and go out as one frame. Each event is a record:

    <audience letter><seq>[ <participant target>]\\n<envelope JSON>

and records are joined by RS (0x1e). The seq, audience and target ride in the header, so a
receiving process orders and routes an event without parsing its JSON (the envelope is written
to sockets exactly as stored). JSON text never holds a raw control character, so neither the
line break nor RS can occur inside an envelope; participant ids are URL-safe tokens, no spaces.
"""

from __future__ import annotations

from hub.events.log import LoggedEvent
from hub.events.schema import Audience

CHANNEL_PREFIX = "council-hub:meeting:"
RECORD_SEPARATOR = b"\x1e"
_LETTER = {Audience.PUBLIC: "p", Audience.STAFF: "s", Audience.PARTICIPANT: "r"}
_AUDIENCE = {letter: audience for audience, letter in _LETTER.items()}


def channel_name(meeting_id: int) -> str:
    """The broker channel a meeting's news travels on."""
    return f"{CHANNEL_PREFIX}{meeting_id}"


def encode_one(ev: LoggedEvent) -> bytes:
    target = f" {ev.target}" if ev.target is not None else ""
    return f"{_LETTER[ev.audience]}{ev.seq}{target}\n{ev.envelope}".encode()


def encode(events: list[LoggedEvent]) -> bytes:
    """Several events (one commit's, one meeting's) as one broker message, in seq order."""
    return RECORD_SEPARATOR.join(encode_one(ev) for ev in events)


def decode(meeting_id: int, message: bytes) -> list[LoggedEvent]:
    """The events of one broker message. Raises ValueError (or KeyError) if it is malformed."""
    events = []
    for record in message.split(RECORD_SEPARATOR):
        header, newline, envelope = record.decode().partition("\n")
        if not newline or not header:
            raise ValueError("a record needs a header line and an envelope")
        seq, _, target = header[1:].partition(" ")
        if not seq.isascii() or not seq.isdigit():
            raise ValueError(f"bad seq {seq!r}")
        audience = _AUDIENCE[header[0]]
        if (audience is Audience.PARTICIPANT) != bool(target):
            raise ValueError("participant events, and only they, carry a target")
        events.append(LoggedEvent(meeting_id, int(seq), audience, envelope, target or None))
    return events
