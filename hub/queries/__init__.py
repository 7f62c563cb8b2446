"""Reads: what pages, APIs and exports show, one module per subject. Nothing here writes.

- ``meetings``: the snapshot (Zulip's register pattern), lists, the console's activity log.
- ``participation``: a resident's own submissions, the public moderation summary.
- ``moderation``: the clerks' queue, area totals, the moderation log.
- ``review``: councillors' feedback per agenda item.
- ``councils``: councils by slug.
"""
