"""Imported text made plain and safe: HTML from Word sanitised with nh3 down to its text
(no tag survives: pages show agenda text as text, never as markup), entities decoded, and
whitespace normalised (tabs, CRLFs and runs of spaces; blank lines between paragraphs kept)."""

from __future__ import annotations

import html
import re

import nh3

# A title is one line of at most this many characters (agenda_items.title is 500; the longest
# Legistar titles are whole paragraphs, "Subject: ... From: ... Recommendation: ..."). Longer
# text is cut at a word and kept whole in the description.
TITLE_MAX = 300

# Elements whose end is a line break in the text: paragraphs, list items, breaks, headings.
_BREAKS = re.compile(r"(?i)<\s*(br\s*/?|/p|/div|/li|/h[1-6]|/tr|/ul|/ol|/table)\s*>")
_ITEM = re.compile(r"(?i)<\s*li\b[^>]*>")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANKS = re.compile(r"\n{3,}")


def _unescape(text: str) -> str:
    """Entities decoded, twice if they were escaped twice (Modern.gov's ``&amp;amp;``): a title
    that reads "Fish &amp; chips" after one pass was escaped twice at the source."""
    once = html.unescape(text)
    return html.unescape(once) if re.search(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);", once) else once


def plain_text(markup: str | None) -> str:
    """Agenda text (plain, or HTML from Word) as plain text: paragraphs kept, whitespace tidy."""
    if not markup:
        return ""
    text = markup.replace("\r\n", "\n").replace("\r", "\n")
    if "<" in text:
        # In HTML a line break is a space (Word wraps its paragraphs at ~75 characters).
        text = text.replace("\n", " ")
        text = _ITEM.sub("\n• ", text)
        text = _BREAKS.sub("\n", text)
        # Everything else goes, with what is inside script and style; the text stays escaped.
        text = nh3.clean(text, tags=set(), attributes={}, strip_comments=True)
    text = _unescape(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def one_line(markup: str | None) -> str:
    """A title: plain text on one line (tabs, CRLFs and doubled spaces become one space)."""
    return " ".join(plain_text(markup).split())


def title_and_rest(markup: str | None) -> tuple[str, str]:
    """A title that fits, and the whole text as a description when it had to be cut."""
    title = one_line(markup)
    if len(title) <= TITLE_MAX:
        return title, ""
    cut = title[: TITLE_MAX - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…", plain_text(markup)
