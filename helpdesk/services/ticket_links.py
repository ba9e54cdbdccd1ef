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
from helpdesk.domain import utcnow
from helpdesk.domain.principals import LinkHolder, mark_link_stand_in
from helpdesk.domain.tickets import Ticket
from helpdesk.services import links, policy, ticket_access
from helpdesk.services.policy import Action

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
    gives access (address removed from CC, account deactivated). services/policy.py decides
    (a LinkHolder on VIEW_TICKET); this loads and hands back who to act as.

    A registered customer acts as themselves. An address without an account (a CC'd colleague)
    gets a read-only stand-in that is never stored. Staff addresses get the stand-in too, so a
    forwarded mail never carries an agent's powers (internal notes) to whoever holds it.
    """
    holder = holder_for(session, number, email)
    if holder is None:
        return None
    if holder.account is not None:
        return holder.account
    # The link proves the mailbox, so the stand-in counts as verified (CC visibility).
    stand_in = User(id=None, email=holder.email, name=holder.email, role=Role.CUSTOMER.value, password_hash="",
                    email_verified_at=utcnow())
    return mark_link_stand_in(stand_in, holder.ticket_number)  # services see a LinkHolder (of_actor)


def holder_for(session: Session, number: int, email: str) -> Optional[LinkHolder]:
    """The principal behind a verified link to ticket `number` for `email`, if it still opens it."""
    address = normalize_email(email)
    ticket = session.exec(select(Ticket).where(Ticket.number == number)).first()
    if ticket is None:
        return None
    user = session.exec(select(User).where(User.email == address)).first()
    # An active agent's address acts as the mailbox only; a deactivated account as itself (refused).
    account = None if user is not None and user.is_active and user.is_staff else user
    holder = LinkHolder(email=address, ticket_number=ticket.number, account=account)
    return holder if policy.can(holder, Action.VIEW_TICKET, ticket_access.facts(session, ticket)) else None


def download_token(number: int, email: str) -> str:
    return links.make_token(DOWNLOAD_PURPOSE, {"n": int(number), "e": normalize_email(email)}, DOWNLOAD_MAX_AGE)


def verify_download_token(token: str) -> Optional[tuple[int, str]]:
    data = links.read_token(token, DOWNLOAD_PURPOSE)
    if data is None or not isinstance(data.get("n"), int) or not isinstance(data.get("e"), str):
        return None
    return data["n"], data["e"]


def download_cookie_name(number: int) -> str:
    return f"{DOWNLOAD_COOKIE_PREFIX}{int(number)}"
