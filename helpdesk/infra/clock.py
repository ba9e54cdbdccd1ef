"""The promise clock: what "now" is for reply estimates, the hours notice and allowances.

Tests need to see the out-of-hours notice whatever time the suite runs, so in TEST MODE ONLY
(`HELPDESK_TEST_MODE=1`) the instant can be faked with `HELPDESK_NOW`: an ISO 8601 instant
(`2026-12-06T03:00:00+01:00`), or `file:<path>` whose content is such an instant (empty or
missing file: the real clock), so a running test server can be moved in time. Without test
mode both are ignored and a warning is logged once: production always runs on the real clock.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone
from pathlib import Path

from helpdesk.domain import utcnow

log = logging.getLogger("helpdesk.clock")
_warned = False


def test_mode() -> bool:
    return os.environ.get("HELPDESK_TEST_MODE", "").strip() == "1"


def _parse(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        log.warning("HELPDESK_NOW is not an ISO instant: %r", text)
        return None
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def now() -> datetime:
    global _warned
    raw = os.environ.get("HELPDESK_NOW", "").strip()
    if not raw:
        return utcnow()
    if not test_mode():
        if not _warned:
            _warned = True
            log.warning("HELPDESK_NOW ignored: it is honoured only with HELPDESK_TEST_MODE=1")
        return utcnow()
    if raw.startswith("file:"):
        try:
            raw = Path(raw[5:]).read_text()
        except OSError:
            return utcnow()
    return (_parse(raw) or utcnow()).astimezone(timezone.utc)
