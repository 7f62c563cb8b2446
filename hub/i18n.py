"""Translations: gettext catalogs (Babel) for English (the source) and Welsh.

Catalogs are the ``.po`` files in hub/locale, compiled in memory at start-up, so there is no
build step. Templates call ``_()``; the language of the current request is a context variable
set by ``LanguageMiddleware``. Extract new strings with ``scripts/i18n`` (pybabel).
"""

from __future__ import annotations

import contextvars
import gettext
import io
from collections.abc import Mapping
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES: Mapping[str, str] = {"en": "English", "cy": "Cymraeg"}
LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600
# The pages' scripts send their page's language with their requests (static/js/dom.js), so the
# JSON answers they show (a refused comment, a failed vote) are in the language the page is in,
# even where that came from the council's default and not from a choice the cookie remembers.
PAGE_LANGUAGE_HEADER = "x-hub-language"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("language", default="en")


def _load(lang: str) -> gettext.NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


_TRANSLATIONS: dict[str, gettext.NullTranslations] = {lang: _load(lang) for lang in LANGUAGES}


def N_(message: str) -> str:  # noqa: N802 - gettext's convention
    """Mark a string for translation now; translate it later, in the request's language."""
    return message


def current_language() -> str:
    return _current.get()


def set_language(lang: str) -> contextvars.Token[str]:
    return _current.set(lang if lang in LANGUAGES else "en")


def gettext_(message: str) -> str:
    return _TRANSLATIONS[_current.get()].gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return _TRANSLATIONS[_current.get()].ngettext(singular, plural, n)


def translate(lang: str, message: str) -> str:
    return _TRANSLATIONS.get(lang, _TRANSLATIONS["en"]).gettext(message)


def choose_language(
    query: str | None, cookie: str | None, default: str, page: str | None = None
) -> str:
    for candidate in (query, page, cookie, default):
        if candidate is not None and candidate in LANGUAGES:
            return candidate
    return "en"


def use_council_language(conn: HTTPConnection, council_language: str) -> None:
    """A page about one council (its meetings, its privacy notice, its staff pages) is in the
    council's language unless the visitor chose one (``?lang=`` or the cookie)."""
    if not conn.scope.get("state", {}).get("lang_explicit"):
        set_language(council_language)


class LanguageMiddleware:
    """Sets the request's language from ?lang=, then the page's (a script's request), then the
    lang cookie, then the default. Pages may narrow the default to the council's own language
    (routes call use_council_language)."""

    def __init__(self, app: ASGIApp, default: str = "en", secure: bool = False) -> None:
        self.app = app
        self.default = default
        # Under HTTPS_ONLY, like every cookie the hub sets: never sent over plain http.
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        page = conn.headers.get(PAGE_LANGUAGE_HEADER)
        lang = choose_language(
            conn.query_params.get("lang"), conn.cookies.get(LANG_COOKIE), self.default, page
        )
        scope.setdefault("state", {})["lang_explicit"] = (
            conn.query_params.get("lang") in LANGUAGES
            or conn.cookies.get(LANG_COOKIE) in LANGUAGES
            or page in LANGUAGES
        )
        chosen = conn.query_params.get("lang")
        send_ = send
        if (
            scope["type"] == "http"
            and chosen in LANGUAGES
            and chosen != conn.cookies.get(LANG_COOKIE)
        ):
            # Remember an explicit choice for the next pages (and form redirects).
            cookie = f"{LANG_COOKIE}={chosen}; Path=/; Max-Age={LANG_COOKIE_MAX_AGE}; SameSite=Lax"
            if self.secure:
                cookie += "; Secure"

            async def send_(message: Message) -> None:
                if message["type"] == "http.response.start":
                    MutableHeaders(scope=message).append("set-cookie", cookie)
                await send(message)

        token = set_language(lang)
        try:
            await self.app(scope, receive, send_)
        finally:
            _current.reset(token)
