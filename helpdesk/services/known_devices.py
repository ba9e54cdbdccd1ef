"""Known devices: the sign-in lock slows the attacker, not the owner (issue 13).

A browser that signed in to an account once keeps a signed token naming that account (HMAC with
the app's secret; nothing is stored on the server). When someone floods an account with wrong
passwords from many addresses, or shares an IP with the flood, the locks that would keep everyone
out (per account from every IP, per IP) do not apply to a browser holding that account's token:
OWASP's "device cookies". That browser has its own, small allowance of failures instead, so a
stolen token does not open a guessing channel. The per account-and-IP lock still applies to
unknown browsers exactly as before.
"""

from __future__ import annotations

import hashlib
import secrets

from itsdangerous import BadData, URLSafeTimedSerializer
from sqlmodel import Session

from helpdesk.infra.db import session_scope
from helpdesk.infra.settings import get_settings
from helpdesk.services import ratelimit
from helpdesk.services.errors import RateLimited

MAX_AGE_S = 90 * 24 * 3600
# Failures a known browser may make in the window before it waits like anyone else.
FAILURES = (10, 900)
_SALT = "known-device-v1"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=_SALT)


def _account_tag(email: str) -> str:
    # A hash, not the address: the token sits in the browser's storage.
    return hashlib.sha256(email.encode()).hexdigest()[:24]


def issue(email: str) -> str:
    return _serializer().dumps({"a": _account_tag(email), "n": secrets.token_urlsafe(8)})


def vouches(email: str, token: str) -> bool:
    """True when `token` was issued to a browser that signed in to this address."""
    if not email or not isinstance(token, str) or not token or len(token) > 400:
        return False
    try:
        data = _serializer().loads(token, max_age=MAX_AGE_S)
    except BadData:
        return False
    return isinstance(data, dict) and data.get("a") == _account_tag(email)


def device_key(token: str) -> str:
    return "login:device:" + hashlib.sha256(token.encode()).hexdigest()[:32]


def check_allowance(session: Session, token: str) -> None:
    """Raise RateLimited when this known browser used up its failures (counting nothing)."""
    try:
        ratelimit.check_only(session, device_key(token), *FAILURES)
    except RateLimited as err:
        raise RateLimited("errors.login_locked", retry_after_s=err.retry_after_s) from None


def count_failure(token: str) -> None:
    """One failure of a known browser, in its own transaction (it must stick)."""
    try:
        with session_scope() as s:
            ratelimit.hit(s, device_key(token), *FAILURES)
    except RateLimited:
        pass  # already at the limit: the next attempt is refused by check_allowance
