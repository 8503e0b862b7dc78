"""Persistence: SQLAlchemy models, engine and sessions (``reading()`` / ``transaction()``), migrations,
the settings repository and the query helpers."""
