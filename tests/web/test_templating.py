"""Times are stored in UTC and shown in the council's zone, GMT in winter and BST in summer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub import i18n
from hub.models import iso
from hub.models.base import UTCDateTime
from hub.web.templating import date_names, in_language, lang_of, local_datetime


def test_winter_is_gmt_and_summer_is_bst() -> None:
    assert (
        local_datetime("2026-11-22T18:30:00.000Z", "Europe/London")
        == "Sunday 22 November 2026, 18:30"
    )
    assert (
        local_datetime("2026-07-01T17:30:00.000Z", "Europe/London")
        == "Wednesday 1 July 2026, 18:30"
    )
    # The night the clocks go forward: 00:59 GMT then 02:00 BST.
    assert local_datetime("2026-03-29T00:59:00Z", "Europe/London", "time") == "00:59"
    assert local_datetime("2026-03-29T01:00:00Z", "Europe/London", "time") == "02:00"


def test_times_in_welsh() -> None:
    token = i18n.set_language("cy")
    try:
        text = local_datetime("2026-11-22T18:30:00.000Z", "Europe/London")
    finally:
        i18n._current.reset(token)  # noqa: SLF001
    assert "Tachwedd" in text and "18:30" in text


def test_date_names_for_the_pages_script_match_the_server() -> None:
    """static/js/dom.js spells a full date from these: the same words babel writes."""
    token = i18n.set_language("cy")
    try:
        names = date_names()
        text = local_datetime("2026-11-22T18:30:00.000Z", "Europe/London")
    finally:
        i18n._current.reset(token)  # noqa: SLF001
    # 22 November 2026 is a Sunday: day 0 as JavaScript counts.
    assert text == f"{names['days'][0]} 22 {names['months'][10]} 2026, 18:30"
    assert names["days"][1] == "Dydd Llun" and names["months"][10] == "Tachwedd"
    assert date_names()["days"][0] == "Sunday"  # (this context is English again)


@pytest.mark.parametrize(
    ("lang", "item", "text", "attr"),
    [
        ("cy", {"title": "Minutes", "title_cy": "Cofnodion"}, "Cofnodion", ""),
        ("cy", {"title": "Minutes", "title_cy": ""}, "Minutes", ' lang="en"'),
        ("en", {"title": "Minutes", "title_cy": "Cofnodion"}, "Minutes", ""),
        ("en", {"title": "Minutes", "title_cy": ""}, "Minutes", ""),
        ("cy", {"title": "", "title_cy": ""}, "", ""),
    ],
)
def test_text_in_the_pages_language(lang: str, item: dict[str, str], text: str, attr: str) -> None:
    token = i18n.set_language(lang)
    try:
        assert (in_language(item), str(lang_of(item))) == (text, attr)
    finally:
        i18n._current.reset(token)  # noqa: SLF001


def test_api_times_are_utc_with_z() -> None:
    assert iso(datetime(2026, 7, 1, 17, 30, tzinfo=UTC)) == "2026-07-01T17:30:00.000Z"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), None)  # type: ignore[arg-type]  # noqa: DTZ001
