"""Translation catalogs (Spanish first, English second) and locale-aware formatting.

Catalogs live in `helpdesk/i18n/<locale>/<area>.json` (flat "area.key": "text" maps) so each
feature owns its own file. Used by the UI and by server-side texts (e-mails, errors).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from babel.dates import format_datetime, format_timedelta
from babel.numbers import format_decimal

LOCALES = ("es", "en")
DEFAULT_LOCALE = "es"
_DIR = Path(__file__).parent


def normalize_locale(raw: str | None) -> str:
    raw = (raw or "").strip().lower()[:2]
    return raw if raw in LOCALES else DEFAULT_LOCALE


def locale_from_accept_language(header: str | None) -> str:
    """First supported language in an Accept-Language header, by quality order."""
    best: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        lang, _, q = part.strip().partition(";q=")
        try:
            quality = float(q) if q else 1.0
        except ValueError:
            quality = 0.0
        code = lang.strip().lower()[:2]
        if code in LOCALES:
            best.append((-quality, i, code))
    return sorted(best)[0][2] if best else DEFAULT_LOCALE


class Catalog(dict):
    """One locale's texts. Every browser tab's state holds one (the UI reads it as a var); it
    pickles as a reference to the shared catalog, not as its ~30 KB of text, so storing a
    tab's state (on disk, or in Redis on every event) stays small. Read-only by contract."""

    locale: str = DEFAULT_LOCALE

    def __reduce__(self):
        return (catalog, (self.locale,))

    def __deepcopy__(self, memo):
        # Reflex deep-copies a var's default for each new state: one shared copy is enough.
        return self


@lru_cache(maxsize=None)
def catalog(locale: str) -> dict[str, str]:
    locale = normalize_locale(locale)
    merged = Catalog()
    merged.locale = locale
    for path in sorted((_DIR / locale).glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def translate(key: str, locale: str = DEFAULT_LOCALE, **params: object) -> str:
    text = catalog(locale).get(key) or catalog(DEFAULT_LOCALE).get(key) or key
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def relative_time(value: datetime | None, locale: str, now: datetime | None = None) -> str:
    """'hace 3 horas' / '3 hours ago'."""
    if value is None:
        return ""
    now = now or datetime.now(timezone.utc)
    delta = _aware(value) - now
    if abs(delta.total_seconds()) < 45:
        return translate("time.just_now", locale)
    return format_timedelta(delta, add_direction=True, locale=normalize_locale(locale), threshold=1.0)


_DAY_UNIT = {"es": "días", "en": "days"}


def duration_hours(hours: float | None, locale: str) -> str:
    """A working-time figure people read at a glance: '18 min', '3,5 h', '2,1 días'."""
    if hours is None:
        return ""
    loc = normalize_locale(locale)
    if hours < 1:
        return f"{max(0, round(hours * 60))} min"
    if hours < 48:
        return f"{format_decimal(round(hours, 1), format='#,##0.#', locale=loc)} h"
    unit = _DAY_UNIT.get(locale, _DAY_UNIT[DEFAULT_LOCALE])
    return f"{format_decimal(round(hours / 24, 1), format='#,##0.#', locale=loc)} {unit}"


def percent(value: float | None, locale: str) -> str:
    """'66,7 %' in Spanish, '66.7%' in English."""
    if value is None:
        return ""
    loc = normalize_locale(locale)
    figure = format_decimal(round(value, 1), format="#,##0.#", locale=loc)
    return f"{figure}\u00a0%" if loc == "es" else f"{figure}%"


def plural(key: str, count: int, locale: str) -> str:
    """'1 búsqueda' / '3 búsquedas': catalog keys `<key>_one` and `<key>_many` with {count}."""
    return translate(f"{key}_one" if count == 1 else f"{key}_many", locale, count=count)


def long_date(value, locale: str) -> str:
    """A calendar day people read: 'martes, 8 de diciembre de 2026' / 'Tuesday, December 8, 2026'."""
    from babel.dates import format_date

    return format_date(value, "full", locale=normalize_locale(locale))


def full_datetime(value: datetime | None, locale: str, tz: str = "Europe/Madrid") -> str:
    if value is None:
        return ""
    # Minutes are as precise as anyone reads a ticket's time: no seconds on screens or in mails.
    loc = normalize_locale(locale)
    pattern = "d MMM yyyy, HH:mm" if loc == "es" else "MMM d, yyyy, h:mm a"
    return format_datetime(_aware(value), pattern, tzinfo=_tz(tz), locale=loc)


def short_date(value: datetime | None, locale: str, tz: str = "Europe/Madrid") -> str:
    if value is None:
        return ""
    return format_datetime(_aware(value), "d MMM yyyy, HH:mm", tzinfo=_tz(tz), locale=normalize_locale(locale))


@lru_cache(maxsize=32)
def _tz(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
