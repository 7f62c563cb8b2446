"""XML parsed safely: defusedxml with no DTD allowed at all (no entity, no external reference,
no bomb: Modern.gov never sends a DTD), and each failure typed."""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml.ElementTree import fromstring

from integrations.agendas.models import Malformed, Refused


def parse(body: bytes, what: str) -> Element:
    try:
        root: Element = fromstring(
            body, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        return root
    except defusedxml.DefusedXmlException as exc:
        raise Refused(f"{what} sent XML with a DTD or entities, refused unread ({exc})") from exc
    except ParseError as exc:
        raise Malformed(f"{what} sent malformed XML ({exc})") from exc


def text(element: Element | None, tag: str) -> str:
    """The stripped text of ``tag`` under ``element`` ('' when absent or empty)."""
    if element is None:
        return ""
    found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""


def flag(element: Element | None, tag: str) -> bool:
    return text(element, tag).lower() == "true"
