"""Charts as accessible SVG, drawn on the server: no script, no third-party code, nothing for the
page's CSP to allow (presentation attributes, not style).

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>``
(which states the figures in words), readable without colour: bars carry a pattern as well as a
colour, and every value is written beside its bar. The page shows a data table beside each
chart (hub/templates/staff/_review_body.html), so nothing is only in the picture.

Written here rather than taken from a library: pygal and matplotlib write inline styles (a
``<style>`` element, ``style`` attributes) that the pages' CSP refuses, and give a chart no
accessible name or text alternative of its own; the little needed here is a few dozen lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import count

from markupsafe import Markup, escape

# Colours with at least 3:1 contrast against white (WCAG 2.2 1.4.11, non-text contrast), each
# with its own pattern so two bars never differ by colour alone.
INK = "#1f2933"
PATTERNS = {
    "solid": ("#1d6b3a", ""),
    "hatch": ("#a4262c", '<path d="M0,6 L6,0" stroke="#ffffff" stroke-width="1.5"/>'),
    "dots": ("#3d4f66", '<rect x="2" y="2" width="2" height="2" fill="#ffffff"/>'),
    "cross": ("#5b3b8c", '<path d="M0,3 H6 M3,0 V6" stroke="#ffffff" stroke-width="1"/>'),
}
_ids = count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    pattern: str = "solid"


def _fill_defs(prefix: str, patterns: Sequence[str]) -> tuple[str, dict[str, str]]:
    defs, fills = [], {}
    for name in dict.fromkeys(patterns):
        colour, mark = PATTERNS[name]
        if not mark:
            fills[name] = colour
            continue
        pid = f"{prefix}-{name}"
        defs.append(
            f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="{colour}"/>{mark}</pattern>'
        )
        fills[name] = f"url(#{pid})"
    return "".join(defs), fills


def bar_chart(title: str, description: str, bars: Sequence[Bar], width: int = 360) -> Markup:
    """Horizontal bars, one a row, each labelled with its name and its value."""
    prefix = f"chart{next(_ids)}"
    row, label_w, value_w = 28, 110, 44
    height = row * len(bars) + 8
    most = max((b.value for b in bars), default=0) or 1
    span = width - label_w - value_w
    defs, fills = _fill_defs(prefix, [b.pattern for b in bars])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{prefix}-t {prefix}-d">',
        f'<title id="{prefix}-t">{escape(title)}</title>',
        f'<desc id="{prefix}-d">{escape(description)}</desc>',
        f"<defs>{defs}</defs>" if defs else "",
    ]
    for i, b in enumerate(bars):
        y = 4 + i * row
        length = round(span * b.value / most) if b.value else 0
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" fill="{INK}" '
            f'font-size="14">{escape(b.label)}</text>'
        )
        if length:
            parts.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{length}" height="{row - 8}" '
                f'fill="{fills[b.pattern]}" stroke="{INK}" stroke-width="1"/>'
            )
        parts.append(
            f'<text x="{label_w + length + 6}" y="{y + 17}" fill="{INK}" '
            f'font-size="14">{b.value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


@dataclass(frozen=True)
class Mark:
    """A moment marked on a timeline (an item starting), with its short label ("5a")."""

    at: datetime
    label: str


def timeline_chart(
    title: str,
    description: str,
    buckets: Sequence[tuple[datetime, int]],
    marks: Sequence[Mark],
    start_label: str,
    end_label: str,
    width: int = 720,
    height: int = 180,
) -> Markup:
    """Columns, one per minute (``buckets`` in order, every minute present), with a dashed line
    and a label where each mark falls. Axis: the first and last minute, zero and the maximum."""
    prefix = f"chart{next(_ids)}"
    left, right, top, bottom = 36, 8, 22, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    most = max((n for _, n in buckets), default=0) or 1
    step = plot_w / max(len(buckets), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--timeline" role="img" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{prefix}-t {prefix}-d">',
        f'<title id="{prefix}-t">{escape(title)}</title>',
        f'<desc id="{prefix}-d">{escape(description)}</desc>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{INK}" stroke-width="1"/>',
        f'<text x="{left - 4}" y="{top + 5}" text-anchor="end" fill="{INK}" '
        f'font-size="12">{most}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" fill="{INK}" '
        f'font-size="12">0</text>',
        f'<text x="{left}" y="{height - 6}" fill="{INK}" '
        f'font-size="12">{escape(start_label)}</text>',
        f'<text x="{width - right}" y="{height - 6}" text-anchor="end" fill="{INK}" '
        f'font-size="12">{escape(end_label)}</text>',
    ]
    colour = PATTERNS["dots"][0]
    for i, (_minute, n) in enumerate(buckets):
        if n:
            h = plot_h * n / most
            parts.append(
                f'<rect x="{left + i * step:.1f}" y="{top + plot_h - h:.1f}" '
                f'width="{max(step - 1, 1):.1f}" height="{h:.1f}" fill="{colour}"/>'
            )
    if buckets:
        first = buckets[0][0]
        for mark in marks:
            minutes = (mark.at - first).total_seconds() / 60
            if 0 <= minutes <= len(buckets):
                x = left + minutes * step
                parts.append(
                    f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{top + plot_h}" '
                    f'stroke="{INK}" stroke-width="1" stroke-dasharray="3 3"/>'
                    f'<text x="{x + 2:.1f}" y="{top - 8}" fill="{INK}" '
                    f'font-size="12">{escape(mark.label)}</text>'
                )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()
