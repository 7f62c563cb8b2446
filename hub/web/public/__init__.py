"""Public routes: residents' pages, the public JSON API, submissions and votes, the projector."""
