"""National and regional holidays from the `holidays` package into the holidays table.

Imported rows are ordinary holidays afterwards: admins rename or remove them like any other.
A date that is already a holiday keeps its name (an admin's edit wins over the import).
"""

from __future__ import annotations

from typing import Optional

from sqlmodel import Session, select

from helpdesk.domain.accounts import User
from helpdesk.domain.sla import Holiday
from helpdesk.services.authz import require_admin
from helpdesk.services.errors import ValidationError


def fetch(country: str, region: str = "", year: int = 0) -> list[tuple]:
    """(date, name) pairs, ordered; raises ValidationError for an unknown country/region/year."""
    import holidays

    country = (country or "").strip().upper()
    region = (region or "").strip().upper() or None
    if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2100:
        raise ValidationError({"year": "promises.import_invalid"})
    try:
        found = holidays.country_holidays(country, subdiv=region, years=year, language="es")
    except (NotImplementedError, KeyError, AttributeError, ValueError):
        raise ValidationError({"country": "promises.import_invalid"}) from None
    return sorted(found.items())


def import_holidays(session: Session, actor: Optional[User], country: str, region: str, year: int) -> int:
    """Add the holidays of `country`/`region` in `year`. Returns how many dates were new."""
    require_admin(actor)
    return import_unchecked(session, country, region, year)


def import_unchecked(session: Session, country: str, region: str, year: int) -> int:
    """For the CLI (the operator is trusted): same as import_holidays without an actor."""
    added = 0
    for day, name in fetch(country, region, year):
        if session.exec(select(Holiday.id).where(Holiday.day == day)).first() is None:
            session.add(Holiday(day=day, name=str(name)[:120]))
            added += 1
    session.flush()
    return added
