"""Self-hosted captcha: ALTCHA proof of work, protocol v2 (PyPI `altcha` 2.3.0, npm `altcha@3`).

Server -> widget. `new_challenge()` returns this JSON-serialisable dict (v2 challenge):

    {"parameters": {"algorithm": "SHA-256", "cost": 1, "keyLength": 32,
                    "keyPrefix": "<32 hex chars>", "nonce": "<32 hex>", "salt": "<32 hex>",
                    "expiresAt": <unix seconds>},
     "signature": "<64 hex chars: HMAC-SHA-256 of the canonical parameters>"}

Give it to the v3 widget through its `challenge` attribute, either as the JSON text itself
(`<altcha-widget challenge='{"parameters": ...}' name="altcha">`) or as the URL of a route
that answers with that JSON. (`challengeurl`/`challengejson` are v2-widget attributes that v3
ignores.) The challenge is "deterministic": the server picks a secret counter between
max_number/2 and max_number (`HELPDESK_CAPTCHA_MAX_NUMBER`), and the browser must count up
to it, hashing each candidate, to find the key prefix.

Widget -> server. The solved widget puts into the form field named by `name` (default
`altcha`) base64(JSON `{"challenge": {...as above...}, "solution": {"counter": n,
"derivedKey": "<hex>", "time": ms}}`). Pass that string to `verify(session, payload)`.

Neither library prevents replay: a verified challenge's signature is stored in
`used_challenges` until it expires, so each solution is accepted once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone

from altcha import Payload, create_challenge, verify_solution
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.security import UsedChallenge
from helpdesk.infra.settings import get_settings
from helpdesk.services.errors import ServiceError

ALGORITHM = "SHA-256"
COST = 1  # hash rounds per attempt; difficulty comes from the counter range instead
CHALLENGE_TTL = timedelta(minutes=10)
# A real payload is ~600 characters; anything far bigger is not worth decoding.
MAX_PAYLOAD_CHARS = 4096
PURGE_BATCH = 500


def _hmac_secret() -> str:
    # A key of its own, so a leak of captcha material says nothing about other signatures.
    secret = get_settings().secret_key.encode()
    return hmac.new(secret, b"helpdesk.captcha.altcha-v2", hashlib.sha256).hexdigest()


def new_challenge(*, now: datetime | None = None) -> dict:
    """A signed challenge for the widget, valid for 10 minutes from `now`."""
    now = now or utcnow()
    max_number = max(1, get_settings().captcha_max_number)
    low = max_number // 2
    counter = low + secrets.randbelow(max_number - low + 1)
    challenge = create_challenge(
        ALGORITHM,
        COST,
        counter=counter,
        expires_at=int((now + CHALLENGE_TTL).timestamp()),
        hmac_secret=_hmac_secret(),
    )
    return challenge.to_dict()


def verify(session: Session, payload: str) -> bool:
    """True once for a genuine, unexpired solution; False for anything else or a replay.

    The spent challenge is recorded in the caller's transaction: if that transaction rolls
    back (e.g. the form had another error) the user may submit the same solution again,
    which spares them a new puzzle. To spend it whatever happens, call this inside its own
    `session_scope()`.
    """
    if not isinstance(payload, str) or not payload or len(payload) > MAX_PAYLOAD_CHARS:
        return False
    try:
        result = verify_solution(payload, _hmac_secret())
        if not result.verified:
            return False
        parsed = Payload.from_base64(payload)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return False
    expires_ts = parsed.challenge.parameters.expires_at
    signature = parsed.challenge.signature
    # Our challenges always expire; a signed one without expiry would be replayable forever.
    if not isinstance(expires_ts, int) or not isinstance(signature, str) or len(signature) > 128:
        return False
    now = utcnow()
    # Opportunistic purge. SKIP LOCKED (PostgreSQL; SQLite ignores it) means two concurrent
    # form posts never wait on each other over the same expired rows.
    expired = (
        select(UsedChallenge.id)
        .where(UsedChallenge.expires_at < now)
        .limit(PURGE_BATCH)
        .with_for_update(skip_locked=True)
    )
    session.exec(delete(UsedChallenge).where(UsedChallenge.id.in_(expired)))
    expires_at = datetime.fromtimestamp(expires_ts, timezone.utc)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(UsedChallenge)
        .values(signature=signature, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=["signature"])
        .returning(UsedChallenge.id)
    )
    # Unique signature + DO NOTHING: of two concurrent submissions exactly one inserts.
    # (RETURNING, not rowcount: psycopg reports -1 for INSERT .. ON CONFLICT here.)
    return session.exec(stmt).first() is not None


def require_valid(session: Session, payload: str, field: str = "captcha") -> None:
    """Raise ServiceError("captcha.invalid") unless `verify` accepts the payload."""
    if not verify(session, payload):
        raise ServiceError("captcha.invalid", field=field)
