"""Resolve a caller once, per event or request, into a principal (domain/principals.py).

Each resolver hands the work to the code that already does it (sessions in services/accounts,
e-mailed links in services/ticket_links, API tokens in services/api_tokens, mail senders in
services/inbound/service); this module only gives every channel the same front door.
What the principal may then do is services/policy.py's decision.
"""

from __future__ import annotations

from typing import Optional

from sqlmodel import Session

from helpdesk.domain.principals import (  # noqa: F401 - re-exported for the channels
    ApiClient,
    LinkHolder,
    MailSender,
    Principal,
    SessionUser,
    Visitor,
    of_actor,
)


def from_session_token(session: Session, token: Optional[str]) -> SessionUser | Visitor:
    """A browser's session token: the signed-in user, or a visitor (unknown, expired, revoked,
    deactivated account)."""
    from helpdesk.services import accounts

    user = accounts.user_for_token(session, token)
    return SessionUser(user) if user is not None else Visitor()


def from_ticket_link(session: Session, token: str, route_number: Optional[int]) -> Optional[LinkHolder]:
    """An e-mailed ticket link for the ticket in the URL: its holder, or None when the token is
    invalid, names another ticket or no longer opens it."""
    from helpdesk.services import ticket_links

    data = ticket_links.verify_for_route(token, route_number)
    if data is None:
        return None
    return ticket_links.holder_for(session, data[0], data[1])


def from_api_token(session: Session, secret: Optional[str]) -> Optional[ApiClient]:
    """A bearer token: the client acting as its user with its scope, or None."""
    from helpdesk.services import api_tokens

    return api_tokens.authenticate(session, secret)


def from_mail(session: Session, from_email: str) -> MailSender:
    """The sender of an inbound mail, with the active account at that address if any."""
    from helpdesk.services.inbound import service

    return service.sender(session, from_email)


def ticket_page_access(session: Session, user: Optional[object], number: int, link_token: str = "",
                       csat_token: str = "") -> tuple[str, str, str]:
    """How a request for the page of ticket `number` may open it, resolved once at load:
    ("session", "", "") when the signed-in `user` sees it, ("link", email, token) when an
    e-mailed ticket or survey link for that very ticket still opens it, ("", "", "") otherwise.
    A signed-in user who does not see the ticket may still hold a link that does."""
    from helpdesk.services import links, ticket_links, tickets
    from helpdesk.services.errors import ServiceError

    via = ""
    if user is not None:
        try:
            tickets.get_ticket(session, user, number)
            via = "session"
        except ServiceError:
            pass
    candidates = []
    if link_token:
        candidates.append((link_token, ticket_links.verify_for_route(link_token, number)))
    if csat_token:
        data = links.verify_csat_token(csat_token)
        candidates.append((csat_token, (data[0], data[1]) if data and data[0] == number else None))
    for token, data in candidates:
        if data is not None and ticket_links.viewer(session, number, data[1]) is not None:
            return via or "link", data[1], token
    return via, "", ""
