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
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from starlette.requests import HTTPConnection, cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES: Mapping[str, str] = {"en": "English", "cy": "Cymraeg"}
LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600
# The pages' scripts send their page's language with their requests (static/js/dom.js), so the
# JSON answers they show (a refused comment, a failed vote) are in the language the page is in,
# even where that came from the council's default and not from a choice the cookie remembers.
PAGE_LANGUAGE_HEADER = "x-hub-language"
_PAGE_LANGUAGE_RAW = PAGE_LANGUAGE_HEADER.encode()

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


def reset_language(token: contextvars.Token[str]) -> None:
    """Back to the language before ``set_language`` gave ``token``."""
    _current.reset(token)


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


@dataclass(frozen=True)
class Choice:
    """The request's language, whether the visitor chose it (not only the default), and the
    ``Set-Cookie`` value that remembers a new ``?lang=`` choice (None: nothing to remember)."""

    lang: str
    explicit: bool
    remember: str | None


def choice_of(scope: Scope, default: str, secure: bool) -> Choice:
    """The language of a request or socket: ?lang=, then the page's (a script's request), then
    the lang cookie, then the default. Read from the scope's raw headers as Starlette's
    ``HTTPConnection`` reads them (the first of each header, the last ``lang`` parameter)
    without building it: every request pays for this."""
    page = cookie = None
    for name, value in scope["headers"]:
        if name == _PAGE_LANGUAGE_RAW:
            page = page if page is not None else value.decode("latin-1")
        elif name == b"cookie":
            cookie = cookie if cookie is not None else value.decode("latin-1")
    query = None
    if scope["query_string"]:
        for key, value in parse_qsl(scope["query_string"].decode("latin-1"), True):
            if key == "lang":
                query = value
    lang_cookie = cookie_parser(cookie).get(LANG_COOKIE) if cookie else None
    lang = choose_language(query, lang_cookie, default, page)
    explicit = query in LANGUAGES or lang_cookie in LANGUAGES or page in LANGUAGES
    remember = None
    if scope["type"] == "http" and query in LANGUAGES and query != lang_cookie:
        # Remember an explicit choice for the next pages (and form redirects).
        remember = f"{LANG_COOKIE}={query}; Path=/; Max-Age={LANG_COOKIE_MAX_AGE}; SameSite=Lax"
        if secure:
            remember += "; Secure"
    return Choice(lang, explicit, remember)


class LanguageMiddleware:
    """Sets the request's language (``choice_of``). Pages may narrow the default to the
    council's own language (routes call use_council_language)."""

    def __init__(self, app: ASGIApp, default: str = "en", secure: bool = False) -> None:
        self.app = app
        self.default = default
        # Under HTTPS_ONLY, like every cookie the hub sets: never sent over plain http.
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        choice = choice_of(scope, self.default, self.secure)
        scope.setdefault("state", {})["lang_explicit"] = choice.explicit
        send_ = send
        if choice.remember is not None:
            cookie = choice.remember.encode("latin-1")

            async def send_(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie)]
                await send(message)

        token = set_language(choice.lang)
        try:
            await self.app(scope, receive, send_)
        finally:
            reset_language(token)
