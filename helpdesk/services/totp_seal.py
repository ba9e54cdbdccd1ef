"""Two-step secrets sealed at rest (issue 13): a copy of the database alone no longer gives
anyone the codes of every account.

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with a key derived from the app's secret
key (HELPDESK_SECRET_KEY, or the one kept in the data dir). Sealed values start with `f1:`.
Secrets stored before sealing existed are read as they are and sealed again at the owner's next
sign-in (`reseal_if_plain`). Changing the secret key makes every sealed secret unreadable: those
accounts then need `helpdesk totp off` (docs/operations.md).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from helpdesk.infra.settings import get_settings

PREFIX = "f1:"


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"helpdesk-totp-at-rest:" + get_settings().secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(secret: str) -> str:
    if not secret or secret.startswith(PREFIX):
        return secret
    return PREFIX + _fernet().encrypt(secret.encode()).decode()


def unseal(stored: str) -> str:
    """The base32 secret; "" when it cannot be read (another secret key): no code matches then."""
    if not stored or not stored.startswith(PREFIX):
        return stored or ""
    try:
        return _fernet().decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken:
        return ""


def is_plain(stored: str) -> bool:
    return bool(stored) and not stored.startswith(PREFIX)
