"""Jinja2 environment: autoescaped templates, gettext, and times in the council's zone."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_time, get_day_names, get_month_names
from jinja2 import BytecodeCache, Environment, FileSystemLoader, select_autoescape
from jinja2.bccache import Bucket
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


def date_names() -> dict[str, list[str]]:
    """The page language's month and day names (babel's, as ``local_datetime`` writes them) for
    its script: browsers' Intl data often lacks Welsh (Chromium's formats cy dates in English),
    so static/js/dom.js spells dates with these. Days from Sunday, as JavaScript counts them."""
    locale = BABEL_LOCALES.get(i18n.current_language(), "en_GB")
    months = get_month_names("wide", locale=locale)
    days = get_day_names("wide", locale=locale)  # Monday is 0
    return {
        "months": [months[m] for m in range(1, 13)],
        "days": [days[(d + 6) % 7] for d in range(7)],
    }


def recording_seconds(started_at: str, opened_at: str) -> str:
    """Seconds from the start of a recording (the meeting's opening) to an item's start."""
    return str(max(0, int((_parse(started_at) - _parse(opened_at)).total_seconds())))


def json_script(value: Any) -> Markup:
    """JSON safe to put inside <script type="application/json"> (no </script> breakout)."""
    text = json.dumps(value, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped above for the script-data context


# A language tag as a ``lang`` attribute takes it ("en", "cy", "pt-BR"): anything else is left
# off (a post's language comes from its platform, so it is someone else's data).
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")


def language_tag(value: str | None) -> str:
    return value if value and LANGUAGE_TAG.match(value) else ""


# Text that exists in Welsh beside the English (a meeting's or an item's title and description:
# hub/shapes/public.py's ``title_cy``): a Welsh page shows the Welsh where there is some, and
# else the English, marked ``lang="en"`` so a screen reader reads it in English. The source's
# own field (``title``) is English; static/js/dom.js's ``inLanguage`` is the same rule.
WELSH_FIELDS = {"title": "title_cy", "description": "description_cy"}


def _field(obj: Any, name: str) -> str:
    value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
    return value if isinstance(value, str) else ""


def in_language(obj: Any, name: str = "title") -> str:
    """``obj``'s ``name`` (title, description) in the page's language, as plain text."""
    welsh = WELSH_FIELDS.get(name)
    if welsh and i18n.current_language() == "cy" and _field(obj, welsh):
        return _field(obj, welsh)
    return _field(obj, name)


def lang_of(obj: Any, name: str = "title") -> Markup:
    """The ``lang`` attribute (with its leading space) for ``in_language(obj, name)`` where it is
    not the page's language: `` lang="en"`` on a Welsh page without the Welsh; else nothing."""
    welsh = WELSH_FIELDS.get(name)
    if welsh and i18n.current_language() != "en" and not _field(obj, welsh) and _field(obj, name):
        return Markup(' lang="en"')
    return Markup("")


def web_link(value: str | None) -> str:
    """A link taken from someone else's data (a social post's url), if it is http(s): never a
    ``javascript:`` or ``data:`` one in an href. "" otherwise (the page shows no link)."""
    if not value or any(c.isspace() or ord(c) < 32 for c in value):
        return ""
    return value if value.lower().startswith(("https://", "http://")) else ""


class CompiledTemplates(BytecodeCache):
    """Templates compiled once per process, not once per app: every app's environment (see
    ``create_templates``, all built alike) takes the code of a template whose source is
    unchanged from here. Compiling a page's templates costs ~100 ms of CPU on this machine;
    a deployment builds one app per process, the test suite several hundred."""

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, Any]] = {}  # key -> (source checksum, code)

    def load_bytecode(self, bucket: Bucket) -> None:
        found = self._code.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = (bucket.checksum, bucket.code)


_COMPILED = CompiledTemplates()


def create_templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        bytecode_cache=_COMPILED,
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
    env.filters["language_tag"] = language_tag
    env.filters["web_link"] = web_link
    env.globals["languages"] = i18n.LANGUAGES
    env.globals["recording_seconds"] = recording_seconds
    env.globals["current_language"] = i18n.current_language
    env.globals["in_language"] = in_language
    env.globals["date_names"] = date_names
    env.globals["lang_of"] = lang_of
    return Jinja2Templates(env=env)
