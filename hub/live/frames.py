"""A message serialised once, as text and as WebSocket frame bytes, and where frames go."""

from __future__ import annotations

import json
import struct
from typing import Protocol


def encode_text_frame(payload: bytes) -> bytes:
    """One unfragmented, unmasked server text frame (RFC 6455 section 5.2)."""
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", 0x81, n)
    elif n < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, n)
    else:
        header = struct.pack("!BBQ", 0x81, 127, n)
    return header + payload


class Frame:
    """A message serialised once: its text (for ASGI fallbacks) and its wire bytes. Every
    socket an event goes to gets these same bytes."""

    __slots__ = ("text", "wire")

    def __init__(self, text: str) -> None:
        self.text = text
        self.wire = encode_text_frame(text.encode())


class FrameSink(Protocol):
    """Where a connection's frames go. ``send`` never awaits and never raises."""

    @property
    def closed(self) -> bool: ...

    def send(self, frame: Frame) -> None: ...

    def send_many(self, frames: list[Frame]) -> None:
        """Several frames in order (a replay): one write where the sink can."""
        ...

    def close(self, code: int, reason: str) -> None: ...


HEARTBEAT = Frame('{"type":"heartbeat"}')


def reset_frame(reason: str) -> Frame:
    return Frame(json.dumps({"type": "reset", "reason": reason}))
