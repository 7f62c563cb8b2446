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
    header = f"{_LETTER[ev.audience]}{ev.seq}"
    if ev.target is not None:
        header += f" @{ev.target}"
    if ev.subject is not None:
        header += f" #{ev.subject}"
    if ev.redacts:
        header += " !"
    return f"{header}\n{ev.envelope}".encode()


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
        first, *marks = header.split(" ")
        audience = _AUDIENCE[first[0]]
        target, subject, redacts = None, None, False
        for mark in marks:
            if mark.startswith("@") and len(mark) > 1:
                target = mark[1:]
            elif mark.startswith("#"):
                subject = _number(mark[1:])
            elif mark == "!":
                redacts = True
            else:
                raise ValueError(f"unknown header mark {mark!r}")
        if (audience is Audience.PARTICIPANT) != (target is not None):
            raise ValueError("participant events, and only they, carry a target")
        events.append(
            LoggedEvent(
                meeting_id, _number(first[1:]), audience, envelope, target, subject, redacts
            )
        )
    return events


def _number(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise ValueError(f"bad number {text!r}")
    return int(text)
