"""Times are stored in UTC and shown in the council's zone, GMT in winter and BST in summer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub import i18n
from hub.models import iso
from hub.models.base import UTCDateTime
from hub.web.templating import local_datetime


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


def test_api_times_are_utc_with_z() -> None:
    assert iso(datetime(2026, 7, 1, 17, 30, tzinfo=UTC)) == "2026-07-01T17:30:00.000Z"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), None)  # type: ignore[arg-type]  # noqa: DTZ001
