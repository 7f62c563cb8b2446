"""Agenda sources: Modern.gov, Legistar, Open Civic Data and iCalendar, each mapped to the
neutral model in models.py (docs/agendas.md)."""
