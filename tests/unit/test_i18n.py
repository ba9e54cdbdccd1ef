"""Formatting helpers the pages use for figures and dates, in both languages."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from helpdesk import i18n


@pytest.mark.parametrize(
    ("hours", "es", "en"),
    [
        (None, "", ""),
        (0.0, "0 min", "0 min"),
        (0.3, "18 min", "18 min"),
        (1.0, "1 h", "1 h"),
        (3.55, "3,5 h", "3.5 h"),  # 3.55 is 3.5499… as a float
        (47.9, "47,9 h", "47.9 h"),
        (50.4, "2,1 días", "2.1 days"),
        (24 * 400, "400 días", "400 days"),
    ],
)
def test_duration_reads_at_a_glance(hours, es, en):
    assert i18n.duration_hours(hours, "es") == es
    assert i18n.duration_hours(hours, "en") == en


def test_relative_time_in_both_languages():
    now = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
    assert i18n.relative_time(now - timedelta(seconds=10), "es", now) == i18n.translate("time.just_now", "es")
    assert i18n.relative_time(now - timedelta(hours=3), "es", now) == "hace 3 horas"
    assert i18n.relative_time(now - timedelta(hours=3), "en", now) == "3 hours ago"


def test_both_catalogs_have_the_same_keys():
    root = Path(i18n.__file__).parent
    keys = {loc: set().union(*(json.loads(p.read_text()).keys() for p in (root / loc).glob("*.json"))) for loc in ("es", "en")}
    assert keys["es"] == keys["en"], keys["es"] ^ keys["en"]
