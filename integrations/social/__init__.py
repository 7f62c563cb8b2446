"""Social sources: X, Mastodon and Bluesky, each mapped to the neutral model in models.py."""
