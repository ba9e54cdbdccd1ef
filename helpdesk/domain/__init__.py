"""Domain layer: tables and pure rules. Imports nothing from Reflex or from services."""

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Timezone-aware UTC now. Every stored timestamp is aware UTC (sqlmodel's UTCDateTime)."""
    return datetime.now(timezone.utc)
