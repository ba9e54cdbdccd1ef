"""Domain layer: tables and pure rules. Imports nothing from Reflex or from services."""

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Naive UTC timestamp: stored the same way on SQLite and PostgreSQL."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
