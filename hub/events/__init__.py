"""The event log and the live stream built on it (DESIGN.md section 1)."""
