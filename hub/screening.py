"""Automatic screening: a pure function from a submission and the council's policy to a verdict.

Screening never drops anything. A flagged submission is stored and held for a clerk with the
flags saying why; the clerk can publish it anyway. Hard limits (length, position, rate) are
refused at the door with a clear 4xx instead, so the resident knows at once.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from hub.policy import Policy

LINK_RE = re.compile(
    r"(https?://|www\.)\S+|\b[\w-]+\.(com|org|net|uk|io|co|info|biz|ru|xyz)\b", re.I
)


def normalise(text: str) -> str:
    """Case-folded, accent-stripped, whitespace-collapsed: what duplicate and word checks see."""
    if text.isascii():  # most text: nothing to decompose or strip
        return " ".join(text.casefold().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())


@dataclass(frozen=True)
class Verdict:
    flags: tuple[str, ...]  # "links", "blocklist", "duplicate"

    @property
    def held(self) -> bool:
        return bool(self.flags)

    def summary(self) -> str | None:
        return ",".join(self.flags) or None


def body_key(body: str) -> str:
    """What two submissions share when one repeats the other (after normalising)."""
    return hashlib.sha256(normalise(body).encode()).hexdigest()


def screen(body: str, policy: Policy, repeated: bool) -> Verdict:
    """``repeated``: the meeting already has a submission with the same ``body_key``."""
    flags: list[str] = []
    if len(LINK_RE.findall(body)) > policy.max_links:
        flags.append("links")
    text = normalise(body) if policy.blocklist else ""
    for word in policy.blocklist:
        if re.search(rf"(?<!\w){re.escape(normalise(word))}(?!\w)", text):
            flags.append("blocklist")
            break
    if repeated:
        flags.append("duplicate")
    return Verdict(tuple(flags))
