"""The JSON shapes the hub serves, one module per audience, and their serialiser.

- ``public``: what everyone sees (the snapshot and public events): meetings, items, published
  contributions.
- ``own``: what one resident sees of their own submissions.
- ``staff``: what clerks see in the moderation queue (a pseudonym, never the participant id).
- ``serialise``: views to JSON-ready data.

One function builds each shape, so a snapshot and the events that update it can never drift.
Shapes are frozen dataclasses of immutable values: nothing here reads the database or writes.
"""
