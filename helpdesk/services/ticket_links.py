"""Who the holder of an e-mailed ticket link is, for that one ticket.

The link (`/tickets/<n>?k=<token>`, or the survey link) proves the holder reads the mailbox the
ticket's mails go to. They act as that address on that ticket only: callers keep the verified
number and compare it before every use, so the link never opens anything else.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Optional

from sqlmodel import Session, select

from helpdesk.domain.accounts import Role, User, normalize_email
from helpdesk.domain.tickets import Ticket
from helpdesk.services import links, tickets

# The download cookie a link holder's browser gets, one per ticket (see web/http/files.py).
DOWNLOAD_PURPOSE = "ticketdl"
DOWNLOAD_COOKIE_PREFIX = "hd_tl_"
DOWNLOAD_MAX_AGE = timedelta(days=1)


def verify_for_route(token: str, route_number: Optional[int]) -> Optional[tuple[int, str]]:
    """(number, email) when the token is valid and names the ticket in the URL."""
    if route_number is None:
        return None
    data = links.verify_ticket_link(token)
    if data is None or data[0] != route_number:
        return None
    return data


def viewer(session: Session, number: int, email: str) -> Optional[User]:
    """The User the link holder acts as on ticket `number`, or None when the link no longer
    gives access (address removed from CC, account deactivated).

    A registered customer acts as themselves. An address without an account (a CC'd colleague)
    gets a read-only stand-in that is never stored. Staff addresses get the stand-in too, so a
    forwarded mail never carries an agent's powers (internal notes) to whoever holds it.
    """
    address = normalize_email(email)
    ticket = session.exec(select(Ticket).where(Ticket.number == number)).first()
    if ticket is None:
        return None
    user = session.exec(select(User).where(User.email == address)).first()
    if user is not None and not user.is_active:
        return None
    if user is None or user.is_staff:
        user = User(id=None, email=address, name=address, role=Role.CUSTOMER.value, password_hash="")
    return user if tickets.can_view(session, user, ticket) else None


def download_token(number: int, email: str) -> str:
    return links.make_token(DOWNLOAD_PURPOSE, {"n": int(number), "e": normalize_email(email)}, DOWNLOAD_MAX_AGE)


def verify_download_token(token: str) -> Optional[tuple[int, str]]:
    data = links.read_token(token, DOWNLOAD_PURPOSE)
    if data is None or not isinstance(data.get("n"), int) or not isinstance(data.get("e"), str):
        return None
    return data["n"], data["e"]


def download_cookie_name(number: int) -> str:
    return f"{DOWNLOAD_COOKIE_PREFIX}{int(number)}"
