"""Live delivery in one app process (the read side of the event log, for sockets).

- ``frames``: a message encoded once as WebSocket frame bytes; the sink protocol.
- ``fanout``: who follows a meeting here, and sending what arrived as few frames as possible.
- ``channel``: one meeting's news in order: broker messages, gap healing from the log, the
  ring of recent frames, heartbeats.
- ``streams``: every channel of the process; attaching and resuming sockets.
- ``uvicorn_seam``: writing frames without awaiting, under uvicorn (and a fallback).

Nothing in hub/actions, hub/queries, hub/events or integrations imports this package (a test
keeps it so): writers publish to the broker, and only this package listens.
"""
