"""One Welsh word per concept across the catalogue: wherever the English says item, comment,
question, clerk, councillor, meeting, agenda, moderation, resident, submission, participant,
social media, hashtag or source, the Welsh says it with the same word (in any of its mutated
forms: "cwestiwn", "gwestiwn", "chwestiwn", "nghwestiwn"), so a resident or clerk never meets
two names for one thing. A new string that uses another word fails here."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from tests.test_i18n import CY_PO, PLACEHOLDER


def mutations(radical: str) -> str:
    """A Welsh word's radical and its soft, aspirate and nasal mutations, as a regex group."""
    first, rest = radical[0], radical[1:]
    forms = {
        "c": ["c", "g", "ch", "ngh"],
        "p": ["p", "b", "ph", "mh"],
        "t": ["t", "d", "th", "nh"],
        "g": ["g", "", "ng"],
        "b": ["b", "f", "m"],
        "d": ["d", "dd", "n"],
        "m": ["m", "f"],
        "l": ["l"],
        "r": ["r"],
    }.get(first, [first])
    return "(?:" + "|".join(f + rest for f in forms) + ")"


# English (a regex) -> the Welsh stems that name it (each matched with its mutations).
TERMS: dict[str, list[str]] = {
    r"\bitems?\b": ["eitem", "is-eitem"],
    r"\bcomments?\b": ["sylw"],
    r"\bquestions?\b": ["cwestiwn", "cwestiynau"],
    r"\bclerks?\b": ["clerc"],
    r"\bcouncillors?\b": ["cynghorydd", "cynghorwyr"],
    r"\bmeetings?\b": ["cyfarfod"],
    r"\bagendas?\b": ["agenda", "agendâu"],
    r"\bmoderat": ["cymedrol"],
    r"\bresidents?\b": ["trigolyn", "trigolion"],
    r"\bsubmissions?\b": ["cyflwyniad"],
    r"\bparticipants?\b": ["cyfranogwr", "cyfranogwyr"],
    r"\bsocial media\b": ["cyfryngau cymdeithasol"],
    r"\bhashtags?\b": ["hashnod"],
    r"\bsources?\b": ["ffynhonnell", "ffynonellau"],
}
# Where the English word is not the concept (code names, quoted identifiers, host names).
NOT_THE_CONCEPT = re.compile(r"meeting\.council_slug|\{[a-z_]+\}|\b[a-z]+(?:\.[a-z]+)+\.uk\b")


def test_one_welsh_word_per_concept() -> None:
    with CY_PO.open("rb") as f:
        catalog = read_po(f, locale="cy")
    problems = []
    for message in catalog:
        if not message.id:
            continue
        english = message.id if isinstance(message.id, str) else message.id[0]
        english = NOT_THE_CONCEPT.sub("", PLACEHOLDER.sub("", english))
        welsh = message.string if isinstance(message.string, str) else " ".join(message.string)
        for concept, stems in TERMS.items():
            if not re.search(concept, english, re.I):
                continue
            words = "|".join(mutations(s) for s in stems)
            if not re.search(rf"\b{words}", welsh, re.I):
                problems.append(f"{concept}: {english!r} -> {welsh!r}")
    assert not problems, "Use the catalogue's word for the concept:\n" + "\n".join(problems)
