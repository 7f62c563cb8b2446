"""How a council's public pages look: in its languages (its default unless the resident chose
another it offers) and its colours (a stylesheet of its own, hub/web/public/council_home.py)."""

from __future__ import annotations

import hashlib

from starlette.requests import Request

from hub import i18n
from hub.models import Council


def council_language(request: Request, council: Council) -> dict[str, str]:
    """Sets the page's language: the council's default, unless the resident chose another the
    council offers. Returns the languages the page's switch offers (code -> endonym)."""
    offered = [code for code in council.languages.split() if code in i18n.LANGUAGES]
    chosen = request.scope.get("state", {}).get("lang_explicit")
    if not chosen or i18n.current_language() not in offered:
        i18n.set_language(council.default_language)
    return {code: i18n.LANGUAGES[code] for code in offered or [council.default_language]}


def theme_url(council: Council) -> str | None:
    """The council's stylesheet, its URL versioned by its colours; None: the hub's own."""
    if not council.brand_colour:
        return None
    version = hashlib.sha256(
        f"{council.brand_colour}{council.brand_text_colour}".encode()
    ).hexdigest()[:12]
    return f"/c/{council.slug}/theme.css?v={version}"


def council_look(request: Request, council: Council) -> dict[str, object]:
    """What a council's page adds to its template's context (and sets its language)."""
    return {"languages": council_language(request, council), "theme": theme_url(council)}
