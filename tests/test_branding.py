"""WCAG 2.x contrast, against pairs whose ratios are published (WebAIM's checker gives the same
figures): the threshold is on the exact ratio, not the rounded one."""

from __future__ import annotations

import pytest

from hub import branding


@pytest.mark.parametrize(
    ("foreground", "background", "shown", "passes"),
    [
        ("#777", "#fff", "4.48:1", False),  # shown as 4.5:1 with one decimal, and still fails
        ("#767676", "#ffffff", "4.54:1", True),  # the lightest grey that passes on white
        ("#000", "#fff", "21:1", True),
        ("#fff", "#000", "21:1", True),  # the order does not matter
        ("#0b3d6b", "#ffffff", "11.09:1", True),  # the hub's own header (hub.css says 11.1:1)
        ("#ffffff", "#ffffff", "1:1", False),
        ("#FF0000", "#FFFFFF", "4:1", False),
    ],
)
def test_known_pairs(foreground: str, background: str, shown: str, passes: bool) -> None:
    ratio = branding.contrast_ratio(foreground, background)
    assert branding.shown_ratio(ratio) == shown
    assert branding.readable(foreground, background) is passes


def test_luminance_ends() -> None:
    assert branding.relative_luminance("#000000") == 0
    assert branding.relative_luminance("#ffffff") == pytest.approx(1)


@pytest.mark.parametrize("text", ["", "red", "#12", "#1234567", "#ggg", "#fff;}", "fff", "#fff "])
def test_only_hex_colours(text: str) -> None:
    if text == "#fff ":  # surrounding spaces are a paste's, not part of the colour
        assert branding.normalised(text) == "#ffffff"
        return
    with pytest.raises(ValueError):
        branding.normalised(text)


def test_short_hex_and_case() -> None:
    assert branding.normalised("#AbC") == "#aabbcc"


def test_the_page_backgrounds_are_each_checked() -> None:
    # Dark enough on white, not on the page's grey.
    assert branding.contrast_ratio("#6f6f6f", "#ffffff") >= 4.5
    assert branding.weakest_on_page("#6f6f6f") < 4.5
