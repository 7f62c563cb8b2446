"""A council's colours, checked for legibility: WCAG 2.x relative luminance and contrast ratio
(https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio), pure and without I/O.

Text needs a ratio of at least 4.5:1 against what is behind it (success criterion 1.4.3, AA,
for normal-size text). The comparison is on the exact ratio, not the rounded one shown to
people: #777 on white is 4.478:1, which rounds to 4.5 but fails.
"""

from __future__ import annotations

import re

AA_NORMAL_TEXT = 4.5
HEX_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
# The backgrounds a council's brand colour is drawn on as text (links) on its pages, from
# static/css/hub.css: --card (white; also the text of a primary button drawn in the link
# colour), --page, --current-bg (the current item) and the staff bar. The lightest is not always
# the hardest test for every colour, so each is checked.
PAGE_BACKGROUNDS = ("#ffffff", "#f4f6f8", "#eaf2fb", "#e7eef8")


def normalised(colour: str) -> str:
    """``#rrggbb`` in lower case, from ``#rgb`` or ``#rrggbb`` (any case). Raises ValueError
    for anything else: a stored colour goes into a stylesheet, so it is never free text."""
    colour = colour.strip()
    if not HEX_RE.match(colour):
        raise ValueError(f"not a hex colour: {colour!r}")
    digits = colour[1:].lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return f"#{digits}"


def _channel(value: int) -> float:
    # sRGB to linear light, with WCAG 2.x's threshold (0.03928; the sRGB standard's 0.04045
    # differs from it for no 8-bit value).
    c = value / 255
    return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)


def relative_luminance(colour: str) -> float:
    """0 for black to 1 for white."""
    digits = normalised(colour)[1:]
    r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """From 1 (the same luminance) to 21 (black on white); the order does not matter."""
    a, b = relative_luminance(first), relative_luminance(second)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def shown_ratio(ratio: float) -> str:
    """The ratio as people read it: "4.48:1" (two decimals: one would show #777 on white as
    4.5:1, which is the threshold it fails)."""
    return f"{ratio:.2f}".rstrip("0").rstrip(".") + ":1"


def readable(foreground: str, background: str, least: float = AA_NORMAL_TEXT) -> bool:
    return contrast_ratio(foreground, background) >= least


def weakest_on_page(colour: str) -> float:
    """The lowest ratio of ``colour`` as text on the page's backgrounds."""
    return min(contrast_ratio(colour, bg) for bg in PAGE_BACKGROUNDS)
