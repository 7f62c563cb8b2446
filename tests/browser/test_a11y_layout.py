"""Layout for everyone (issue 15): reduced motion respected (WCAG 2.3.3), content that reflows
at 320 CSS px and with text at 200% without scrolling sideways or losing anything (1.4.4,
1.4.10), and touch targets of at least 24x24 CSS px (2.5.8)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.a11y import (
    LOST,
    MIN_TARGET_PX,
    MODULE_LOOP,
    SMALL,
    Stage,
    a11y_browser,
    a11y_stage,
    publish,
    text_at,
)
from tests.browser.support import eventually

pytestmark = [pytest.mark.browser, MODULE_LOOP]
__all__ = ["a11y_browser", "a11y_stage"]  # fixtures, used by name


# Every element that has an animation or a transition, with how long it lasts (the longest of
# its durations, in ms), and the page's scroll behaviour.
MOTION = """() => {
  const ms = (list) => Math.max(...list.split(",").map((d) =>
    d.trim().endsWith("ms") ? parseFloat(d) : parseFloat(d) * 1000));
  const moving = [];
  for (const e of document.querySelectorAll("*")) {
    for (const pseudo of [null, "::before", "::after"]) {
      const s = getComputedStyle(e, pseudo);
      const animation = s.animationName !== "none" ? ms(s.animationDuration) : 0;
      const transition = s.transitionProperty !== "none" ? ms(s.transitionDuration) : 0;
      if (animation > 0 || transition > 0) {
        moving.push({what: e.tagName + "." + e.className + (pseudo || ""), animation, transition});
      }
    }
  }
  return {moving, scroll: getComputedStyle(document.documentElement).scrollBehavior};
}"""


async def _contexts(stage: Stage, browser: Any, **options: Any) -> tuple[Any, Any]:
    """A resident's and a clerk's context with ``options`` (viewport, reduced motion), the
    clerk's sharing the signed-in clerk's cookies."""
    resident = await browser.new_context(**options)
    clerk = await browser.new_context(**options)
    await clerk.add_cookies(await stage.contexts[("clerk", "en")].cookies())
    return resident, clerk


async def _open(context: Any, stage: Stage, path: str, live: bool = True) -> Any:
    page = await context.new_page()
    await page.goto(stage.url(path))
    if live:
        await eventually(
            lambda: page.evaluate("window.__councilHub && window.__councilHub.state === 'live'")
        )
    return page


async def test_reduced_motion_means_no_animation_and_no_smooth_scrolling(
    a11y_stage: Stage, a11y_browser: Any
) -> None:
    stage = a11y_stage
    mid = int(stage.ids["live"])
    for motion in ("no-preference", "reduce"):
        resident, clerk = await _contexts(stage, a11y_browser, reduced_motion=motion)
        page = await _open(resident, stage, "/meetings/{live}")
        console = await _open(clerk, stage, "/staff/meetings/{live}")
        # Something new, so that the page flashes it.
        cid = await publish(stage.server, mid, 70 + len(motion), None, "comment", motion)
        await eventually(lambda p=page, c=cid: p.evaluate(f"!!document.getElementById('c-{c}')"))
        found = await page.evaluate(MOTION)
        flashed = [m for m in found["moving"] if "is-updated" in m["what"]]
        if motion == "no-preference":
            assert flashed and flashed[0]["animation"] > 100, found  # the check sees motion
            continue
        assert found["scroll"] == "auto", found
        for what in (found, await console.evaluate(MOTION)):
            too_long = [m for m in what["moving"] if max(m["animation"], m["transition"]) > 1]
            assert too_long == [], too_long
        await resident.close()
        await clerk.close()


REFLOW = [
    ("resident", "/meetings/{live}"),
    ("resident", "/meetings/{live}/projector"),
    ("clerk", "/staff/meetings/{live}"),
    ("clerk", "/staff/meetings/{live}/moderation"),
]


@pytest.mark.parametrize("who,path", REFLOW)
@pytest.mark.parametrize(
    "how",
    [
        # A 320 CSS px wide screen (1280 px at 400%: WCAG 1.4.10).
        ("320 px", {"viewport": {"width": 320, "height": 640}}, None),
        # Text at 200% in a window 640 px wide (1280 px at 200%).
        ("text 200%", {"viewport": {"width": 1280, "height": 800}}, 2),
        # Text at 200% on a phone, the worst of both.
        ("phone, text 200%", {"viewport": {"width": 360, "height": 740}}, 2),
    ],
    ids=lambda h: str(h[0]) if isinstance(h, tuple) else str(h),
)
async def test_reflows_without_sideways_scrolling_or_loss(
    a11y_stage: Stage, a11y_browser: Any, who: str, path: str, how: tuple[str, Any, Any]
) -> None:
    stage = a11y_stage
    _, options, text_size = how
    resident, clerk = await _contexts(stage, a11y_browser, **options)
    for lang in ("en", "cy"):
        for context in (resident, clerk):
            await context.add_cookies([{"name": "lang", "value": lang, "url": stage.base}])
        page = await _open(resident if who == "resident" else clerk, stage, path)
        if text_size:
            await text_at(page, text_size)
        found = await page.evaluate(LOST)
        assert found["scrollWidth"] <= found["width"], (lang, found)
        assert found["lost"] == [], (lang, found)
        await page.close()
    await resident.close()
    await clerk.close()


TARGETS = [
    ("resident", "/meetings/{live}"),
    ("resident", "/meetings/{live}/projector"),
    ("clerk", "/staff/meetings/{live}/moderation"),
    ("clerk", "/staff/meetings/{live}"),
]


@pytest.mark.parametrize("who,path", TARGETS)
@pytest.mark.parametrize("width", [390, 1366])
async def test_touch_targets_are_at_least_24_px(
    a11y_stage: Stage, a11y_browser: Any, who: str, path: str, width: int
) -> None:
    stage = a11y_stage
    resident, clerk = await _contexts(stage, a11y_browser, viewport={"width": width, "height": 900})
    page = await _open(resident if who == "resident" else clerk, stage, path)
    small = await page.evaluate(SMALL, MIN_TARGET_PX)
    assert small == [], small
    await resident.close()
    await clerk.close()
