"""How a client applies public events to a snapshot (static/js/pages/meeting.js does the same).

The contract the tests hold every action to: ``apply(snapshot_before, events) ==
snapshot_after``. Events carry whole views, so applying one is a replace by id.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any


def apply(snapshot: dict[str, Any], envelopes: Iterable[dict[str, Any]]) -> dict[str, Any]:
    state = copy.deepcopy(snapshot)
    for envelope in envelopes:
        seq = envelope["seq"]
        if seq <= state["last_seq"]:
            continue  # already reflected
        data = envelope["data"]
        kind = envelope["type"]
        if kind == "meeting.updated":
            state["meeting"] = data["meeting"]
        elif kind == "agenda.item.updated":
            # A replace by id, or an item added; the agenda kept in position order.
            item = data["item"]
            others = [i for i in state["items"] if i["id"] != item["id"]]
            state["items"] = sorted([*others, item], key=lambda i: (i["position"], i["id"]))
        elif kind == "agenda.item.removed":
            state["items"] = [i for i in state["items"] if i["id"] != data["id"]]
        elif kind == "contribution.published":
            state["contributions"] = [
                c for c in state["contributions"] if c["id"] != data["contribution"]["id"]
            ] + [data["contribution"]]
        elif kind == "contribution.updated":
            new = data["contribution"]
            state["contributions"] = [
                new if c["id"] == new["id"] else c for c in state["contributions"]
            ]
            if state["spotlight"] is not None and state["spotlight"]["id"] == new["id"]:
                state["spotlight"] = new
        elif kind == "contribution.redacted":
            state["contributions"] = [
                {**c, "body": "", "display_name": None} if c["id"] == data["id"] else c
                for c in state["contributions"]
            ]
            spotlight = state["spotlight"]
            if spotlight is not None and spotlight["id"] == data["id"]:
                state["spotlight"] = {**spotlight, "body": "", "display_name": None}
        elif kind == "contribution.removed":
            state["contributions"] = [c for c in state["contributions"] if c["id"] != data["id"]]
        elif kind == "meeting.spotlight":
            state["spotlight"] = data["contribution"]
            # Events logged before pins existed have no "pinned": they were never pinned.
            state["spotlight_pinned"] = (
                bool(data.get("pinned")) and data["contribution"] is not None
            )
        state["last_seq"] = seq
    return state
