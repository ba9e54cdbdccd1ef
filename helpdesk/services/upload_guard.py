"""Limits on staged uploads: what a client may put on disk before any form is sent.

Forms upload files as soon as they are chosen (`attachments.stage`), and the new-ticket form
and the chat take them from anyone, with no session and before the captcha. Without a limit
one client could fill the disk with made-up tabs (issue 13). So each staged file is counted
before its bytes are written:

- per client: `FILES_LIMIT` files and `MIB_LIMIT` MiB an hour, per IP for visitors and per
  account for signed-in users (an office behind one address shares one IP, not one account);
- for everyone together: `HELPDESK_STAGED_MAX_BYTES` within `STAGED_WINDOW`. Staged bytes that
  no message takes are deleted by the orphan sweep `ORPHAN_GRACE` after they were stored, and
  the sweep runs every `SWEEP_EVERY`, so what was staged in that window bounds what can wait
  on disk unattached. Files that were attached count too: the bound errs on the safe side.

Counts live in `rate_limit_hits` (ratelimit.py), one unit per started MiB, so every worker
shares them and a 1-byte file still costs a unit.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Optional

from sqlmodel import Session

from helpdesk.infra.settings import get_settings
from helpdesk.services import ratelimit
from helpdesk.services.attachments import FIELD, ORPHAN_GRACE
from helpdesk.services.errors import RateLimited, ServiceError

MIB = 1024 * 1024
WINDOW_S = 3600
# Two full tickets' worth of files per hour (10 per message, 25 MB per ticket by default).
FILES_LIMIT = 30
MIB_LIMIT = 100
# How often jobs.py runs the orphan sweep.
SWEEP_EVERY = timedelta(minutes=15)
STAGED_WINDOW = ORPHAN_GRACE + SWEEP_EVERY


def _units(size: int) -> int:
    return max(1, math.ceil(max(0, size) / MIB))


def admit(session: Session, *, size: int, ip: str, user_id: Optional[int], filename: str = "",
          now: datetime | None = None) -> None:
    """Count one file of `size` bytes about to be staged, or raise ServiceError (field
    "attachments"): "attachments.upload_limit" for this client, "attachments.staging_full" for
    the server. Counted in the caller's transaction: commit it before writing the bytes."""
    who = f"user:{user_id}" if user_id else f"ip:{ip or 'unknown'}"
    units = _units(size)
    try:
        ratelimit.hit(session, f"upload:files:{who}", FILES_LIMIT, WINDOW_S, now=now)
        ratelimit.hit(session, f"upload:mib:{who}", MIB_LIMIT, WINDOW_S, now=now, cost=units)
    except RateLimited as err:
        raise ServiceError("attachments.upload_limit", field=FIELD, filename=filename,
                           minutes=err.params["minutes"]) from None
    limit = max(0, get_settings().staged_max_bytes) // MIB
    try:
        ratelimit.hit(session, "upload:staged:all", limit, int(STAGED_WINDOW.total_seconds()), now=now, cost=units)
    except RateLimited:
        raise ServiceError("attachments.staging_full", field=FIELD, filename=filename) from None
