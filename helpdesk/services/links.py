"""Signed, expiring links for people who are not signed in (itsdangerous).

Each purpose signs with its own salt, so a token made for one purpose (the e-mailed ticket
link) never verifies as another (a satisfaction vote, a download session). The expiry is
inside the signed payload, chosen by whoever issues the token. Tokens are signed, not
encrypted: never put a secret in them (ticket numbers and addresses are fine, the address
is the one the mail was sent to).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadData, URLSafeSerializer

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import normalize_email
from helpdesk.infra.settings import get_settings

TICKET = "ticket"
CSAT = "csat"
DLSESSION = "dlsession"
DLSESSION_SECONDS = 60


def _serializer(purpose: str) -> URLSafeSerializer:
    if not purpose or not purpose.isidentifier():
        raise ValueError(f"bad purpose {purpose!r}")
    return URLSafeSerializer(get_settings().secret_key, salt=f"helpdesk.link.{purpose}")


def make_token(purpose: str, data: dict[str, Any], max_age: timedelta, *, now: datetime | None = None) -> str:
    """Sign `data` (JSON-serialisable) for `purpose`, valid for `max_age` from `now`."""
    now = now or utcnow()
    body = {"p": purpose, "x": int((now + max_age).timestamp()), "d": data}
    return _serializer(purpose).dumps(body)


def read_token(token: str, purpose: str, *, now: datetime | None = None) -> dict[str, Any] | None:
    """The signed data, or None when the token is forged, for another purpose, or expired."""
    if not isinstance(token, str) or not token or len(token) > 2048:
        return None
    try:
        body = _serializer(purpose).loads(token)
    except BadData:
        return None
    if not isinstance(body, dict) or body.get("p") != purpose:
        return None
    expires, data = body.get("x"), body.get("d")
    if not isinstance(expires, int) or not isinstance(data, dict):
        return None
    if (now or utcnow()).timestamp() >= expires:
        return None
    return data


def ticket_link_token(ticket_number: int, email: str, purpose: str = TICKET, max_age_days: int = 30) -> str:
    """Token for the ticket link e-mailed to a requester or CC (opens that one ticket)."""
    data = {"n": int(ticket_number), "e": normalize_email(email)}
    return make_token(purpose, data, timedelta(days=max_age_days))


def verify_ticket_link(token: str, purpose: str = TICKET, *, now: datetime | None = None) -> tuple[int, str] | None:
    data = read_token(token, purpose, now=now)
    if data is None:
        return None
    number, email = data.get("n"), data.get("e")
    if not isinstance(number, int) or not isinstance(email, str):
        return None
    return number, email


def csat_token(ticket_number: int, email: str, solve_round: int, max_age_days: int = 30) -> str:
    """Token for the one-click good/bad survey links of one solve round.

    The rating itself travels next to the token (e.g. `?t=<token>&r=good`): the person picks
    it, so it needs no signature, and one token serves both buttons.
    """
    data = {"n": int(ticket_number), "e": normalize_email(email), "r": int(solve_round)}
    return make_token(CSAT, data, timedelta(days=max_age_days))


def verify_csat_token(token: str, *, now: datetime | None = None) -> tuple[int, str, int] | None:
    """(ticket_number, email, solve_round) or None."""
    data = read_token(token, CSAT, now=now)
    if data is None:
        return None
    number, email, solve_round = data.get("n"), data.get("e"), data.get("r")
    if not isinstance(number, int) or not isinstance(email, str) or not isinstance(solve_round, int):
        return None
    return number, email, solve_round


def download_session_ticket(session_ref: str, max_age_s: int = DLSESSION_SECONDS) -> str:
    """Short-lived ticket a page hands to the download-cookie route.

    `session_ref` names the server-side session the cookie will be tied to (e.g. the
    AuthSession id); the route looks it up again and checks it is still valid.
    """
    return make_token(DLSESSION, {"s": str(session_ref)}, timedelta(seconds=max_age_s))


def verify_download_session_ticket(token: str, *, now: datetime | None = None) -> str | None:
    data = read_token(token, DLSESSION, now=now)
    if data is None or not isinstance(data.get("s"), str):
        return None
    return data["s"]
