"""Integrations with outside systems: agenda importers and social pollers (later issues)."""
