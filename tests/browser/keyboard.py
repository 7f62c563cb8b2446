"""Keyboard-only helpers for the browser tests: move the focus with Tab and Shift+Tab until it
reaches a control, checking on the way that every control the focus lands on shows a focus
indicator that can be seen (WCAG 2.4.7, and 2.4.13's 3:1 for the ring against what is beside
it)."""

from __future__ import annotations

import re
from typing import Any

MIN_RING_CONTRAST = 3.0  # WCAG 1.4.11 / 2.4.13: a focus indicator against its surroundings
MIN_RING_PX = 2.0
TAB_LIMIT = 200  # more Tab presses than any page here has controls

# The focused element's ring and the colour behind it (the first opaque background among its
# ancestors: the ring is drawn outside the element).
_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  let bg = "rgb(255, 255, 255)";
  for (let n = e.parentElement; n; n = n.parentElement) {
    const c = getComputedStyle(n).backgroundColor;
    if (c && c !== "transparent" && !/rgba\\(.*, 0\\)$/.test(c)) { bg = c; break; }
  }
  const id = e.id ? "#" + e.id : "";
  return {
    what: e.tagName.toLowerCase() + id + (e.className ? "." + String(e.className) : ""),
    outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth, outlineColor: s.outlineColor,
    boxShadow: s.boxShadow, bg,
  };
}"""

_RGB = re.compile(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)")


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two CSS rgb()/rgba() colours."""
    la, lb = (_luminance(_rgb(c)) for c in (a, b))
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def _rgb(css: str) -> tuple[float, float, float]:
    m = _RGB.search(css)
    assert m, f"not an rgb colour: {css!r}"
    return float(m[1]), float(m[2]), float(m[3])


def ring_colours(style: dict[str, str]) -> list[str]:
    """The colours of what draws the focus indicator: an outline at least MIN_RING_PX wide,
    and box-shadows with a spread of at least MIN_RING_PX."""
    found = []
    if style["outlineStyle"] != "none" and float(style["outlineWidth"].rstrip("px")) >= MIN_RING_PX:
        found.append(style["outlineColor"])
    if style["boxShadow"] != "none":
        # "rgb(26, 26, 26) 0px 0px 0px 6px, ...": colour, x, y, blur, spread.
        for shadow in re.split(r",\s*(?=rgb)", style["boxShadow"]):
            sizes = [float(v) for v in re.findall(r"(-?[\d.]+)px", shadow)]
            if len(sizes) >= 4 and sizes[3] >= MIN_RING_PX:
                found.append(shadow)
    return found


async def assert_focus_visible(page: Any) -> str:
    """The focused element shows a ring with MIN_RING_CONTRAST against the colour behind it;
    returns what it is, for messages."""
    style = await page.evaluate(_FOCUSED)
    assert style is not None, "nothing has the focus"
    colours = ring_colours(style)
    assert colours, f"no focus indicator on {style['what']}: {style}"
    best = max(contrast(c, style["bg"]) for c in colours)
    assert best >= MIN_RING_CONTRAST, f"focus ring of {style['what']} is {best:.2f}:1, {style}"
    return str(style["what"])


async def focused_matches(page: Any, selector: str) -> bool:
    return bool(
        await page.evaluate(
            "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
        )
    )


async def tab_to(page: Any, selector: str, *, back: bool = False) -> list[str]:
    """Press Tab (Shift+Tab with ``back``) until the focus is on ``selector``, checking the
    focus indicator at every stop. Returns the stops, in order."""
    stops: list[str] = []
    for _ in range(TAB_LIMIT):
        await page.keyboard.press("Shift+Tab" if back else "Tab")
        if await page.evaluate("document.activeElement === document.body"):
            continue  # past the end of the page, about to wrap round
        stops.append(await assert_focus_visible(page))
        if await focused_matches(page, selector):
            return stops
    raise AssertionError(f"{selector} not reached with the keyboard; stops: {stops[-20:]}")
