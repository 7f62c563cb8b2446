"""The console's activity log never shows a code: every action code the actions record (in
``staff.action.recorded`` and ``moderation.item``) has a sentence in hub/web/labels.py, in both
languages. The codes are found in the actions' sources and their tables (a new literal code, a
new meeting transition, item status, agenda move or moderation action fails here until it has
its sentence)."""

from __future__ import annotations

import contextvars
import re
import typing
from pathlib import Path

import pytest

from hub import i18n
from hub.actions import agenda_edit, moderation
from hub.actions.meetings import MEETING_TRANSITIONS
from hub.models import ItemStatus
from hub.web import labels
from hub.web.staff.activity import activity_sentence

ACTIONS_DIR = Path(__file__).resolve().parents[2] / "hub" / "actions"
LITERAL = re.compile(r'"((?:meeting|item|agenda)\.[a-z_]+)"')


def recorded_codes() -> set[str]:
    codes = set()
    for source in ACTIONS_DIR.glob("*.py"):
        codes |= set(LITERAL.findall(source.read_text(encoding="utf-8")))
    # The codes built from tables: f"meeting.{action}", f"item.{status}", f"agenda.{move}".
    codes |= {f"meeting.{action}" for action in MEETING_TRANSITIONS}
    codes |= {f"item.{status.value}" for status in ItemStatus}
    codes |= {f"agenda.{move}" for move in typing.get_args(agenda_edit.Move)}
    codes |= {f"moderation.{a}" for a in (*moderation.ACTIONS, "move", "submitted", "edited")}
    codes |= {"moderation.withdraw"}
    # Not action codes: event types that the literal pattern also matches.
    return {c for c in codes if not c.startswith(("meeting.updated", "agenda.item"))}


def in_language(lang: str, fn: typing.Callable[[], typing.Any]) -> typing.Any:
    def run() -> typing.Any:
        i18n.set_language(lang)
        return fn()

    return contextvars.copy_context().run(run)


def test_every_recorded_action_has_a_sentence() -> None:
    codes = recorded_codes()
    assert {"meeting.open", "item.done", "agenda.indent", "moderation.approve"} <= codes
    missing = sorted(codes - labels.ACTIVITY.keys())
    assert not missing, f"add sentences to hub/web/labels.py ACTIVITY for {missing}"


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_sentences_never_show_a_code(lang: str) -> None:
    words = in_language(lang, labels.activity_words)
    for code in sorted(recorded_codes()):
        if code.startswith("moderation."):
            envelope = {
                "type": "moderation.item",
                "data": {
                    "actor": "Clerc",
                    "action": code.removeprefix("moderation."),
                    "contribution": {"item_id": 7, "kind": "question", "display_name": "Sam"},
                },
            }
        else:
            envelope = {
                "type": "staff.action.recorded",
                "data": {"actor": "Clerc", "action": code, "item_id": 7},
            }
        sentence = activity_sentence(envelope, {7: "5a"}, words)
        assert code not in sentence and "{" not in sentence, (lang, code, sentence)
        assert sentence != words["activity"]["other"].replace("{actor}", "Clerc"), (lang, code)
        if lang == "cy":
            english = in_language("en", lambda e=envelope: activity_sentence(
                e, {7: "5a"}, labels.activity_words()
            ))  # fmt: skip
            assert sentence != english, f"{code}: the Welsh sentence is the English one"
