"""Jinja2 environment: autoescaped templates, gettext, and times in the council's zone."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_time
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.templating import Jinja2Templates

from hub import i18n

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
BABEL_LOCALES = {"en": "en_GB", "cy": "cy_GB"}


def _parse(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def local_datetime(value: str | datetime | None, tz: str, style: str = "full") -> str:
    """A UTC time shown in the council's zone, in the page's language (BST/GMT by zoneinfo)."""
    if value is None:
        return ""
    dt = _parse(value).astimezone(ZoneInfo(tz))
    locale = BABEL_LOCALES.get(i18n.current_language(), "en_GB")
    if style == "time":
        return format_time(dt, "HH:mm", locale=locale)
    return format_datetime(dt, "EEEE d MMMM y, HH:mm", locale=locale)


def recording_seconds(started_at: str, opened_at: str) -> str:
    """Seconds from the start of a recording (the meeting's opening) to an item's start."""
    return str(max(0, int((_parse(started_at) - _parse(opened_at)).total_seconds())))


def json_script(value: Any) -> Markup:
    """JSON safe to put inside <script type="application/json"> (no </script> breakout)."""
    text = json.dumps(value, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped above for the script-data context


def create_templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext_, i18n.ngettext_, newstyle=True
    )
    env.filters["local_datetime"] = local_datetime
    env.filters["json_script"] = json_script
    env.globals["languages"] = i18n.LANGUAGES
    env.globals["recording_seconds"] = recording_seconds
    env.globals["current_language"] = i18n.current_language
    return Jinja2Templates(env=env)
