"""The one place that decides what a caller may do: `can(principal, action, resource)`.

Every channel resolves its caller once into a principal (domain/principals.py,
services/principals.py) and every check asks here: the role checks of services/authz.py, ticket
visibility and who may write (services/ticket_access.py, services/tickets.py), the e-mailed
link (services/ticket_links.py), the mail channel's sender (services/inbound/service.py), the
API's token scope (web/api_v1/context.py) and the pages' entry rules (web/pages/guard.py).

Pure: no database and no Reflex. A ticket is described by `TicketFacts`; the one fact that needs
a query (is this address copied on the ticket?) is a callable the caller supplies, called only
when a rule gets that far. The SQL twin of VIEW_TICKET, used to list tickets, is
`ticket_access.visibility_branches`: change both together (tests/unit/test_policy_table.py and
tests/unit/test_tickets.py hold them to the same answers).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Callable, Optional, Union

from helpdesk.domain.accounts import Role
from helpdesk.domain.principals import ApiClient, LinkHolder, MailSender, Visitor
from helpdesk.services import staff_totp_rule
from helpdesk.services.errors import PermissionDenied

if TYPE_CHECKING:
    from helpdesk.domain.accounts import User
    from helpdesk.domain.principals import Principal


class Action(str, enum.Enum):
    SIGNED_IN = "signed_in"                  # any own-account use (authz.require_user)
    STAFF_AREA = "staff_area"                # agent pages and agent-only services (require_staff)
    ADMIN_AREA = "admin_area"                # admin pages and settings (require_admin)
    MANAGE_USERS = "manage_users"            # roles, deactivation, invitations (admins)
    ADMIN_SETTINGS = "admin_settings"        # SLA, services, integrations, chat questions (admins)
    OPEN_TICKET = "open_ticket"              # guests too (captcha and rate limits are the channel's)
    CHAT = "chat"                            # the chat widget (guests too)
    VIEW_TICKET = "view_ticket"
    VIEW_INTERNAL_NOTES = "view_internal_notes"
    VIEW_ATTACHMENT = "view_attachment"
    REPLY_TICKET = "reply_ticket"
    ADD_INTERNAL_NOTE = "add_internal_note"
    ADD_CC = "add_cc"
    REMOVE_CC = "remove_cc"
    REOPEN_TICKET = "reopen_ticket"
    RATE_TICKET = "rate_ticket"              # the satisfaction survey, on the ticket page
    CHANGE_STATUS = "change_status"
    SET_PRIORITY = "set_priority"
    SET_CATEGORY = "set_category"
    ASSIGN = "assign"
    USE_API_WRITE = "use_api_write"          # an API token that may change things
    SPLIT_TICKET = "split_ticket"            # a customer's message into a ticket of its own (staff)
    UNDO_MERGE = "undo_merge"                # undo a merge or a split (admins: it rewrites two tickets)


# Actions that change something: a read-scope API token is refused them.
WRITES = frozenset({
    Action.OPEN_TICKET, Action.REPLY_TICKET, Action.ADD_INTERNAL_NOTE, Action.ADD_CC, Action.REMOVE_CC,
    Action.REOPEN_TICKET, Action.RATE_TICKET, Action.CHANGE_STATUS, Action.SET_PRIORITY,
    Action.SET_CATEGORY, Action.ASSIGN, Action.USE_API_WRITE, Action.MANAGE_USERS, Action.ADMIN_SETTINGS,
    Action.SPLIT_TICKET, Action.UNDO_MERGE,
})
STAFF_ONLY = frozenset({
    Action.STAFF_AREA, Action.VIEW_INTERNAL_NOTES, Action.ADD_INTERNAL_NOTE, Action.CHANGE_STATUS, Action.SET_PRIORITY,
    Action.SET_CATEGORY, Action.ASSIGN, Action.SPLIT_TICKET,
})
ADMIN_ONLY = frozenset({Action.ADMIN_AREA, Action.MANAGE_USERS, Action.ADMIN_SETTINGS, Action.UNDO_MERGE})
# What someone who is not signed in may do (a guest): everything else needs an account.
VISITOR_MAY = frozenset({Action.OPEN_TICKET, Action.CHAT})
# What the mailbox behind an e-mailed link may do without acting as an account: read.
MAILBOX_MAY = frozenset({Action.VIEW_TICKET, Action.VIEW_ATTACHMENT})


def _nobody(_email: str) -> bool:
    return False


@dataclass(frozen=True)
class TicketFacts:
    """What the rules need to know about one ticket."""

    number: int
    requester_id: Optional[int]
    organization_id: Optional[int]
    created_at: datetime
    # Is this (normalized) address in the ticket's CC list? Asked only when a rule needs it.
    is_cc: Callable[[str], bool] = field(default=_nobody, compare=False, repr=False)
    # Is this address the requester's or a CC's? (the e-mailed link of an unverified account)
    is_on_ticket: Callable[[str], bool] = field(default=_nobody, compare=False, repr=False)


@dataclass(frozen=True)
class AttachmentFacts:
    ticket: TicketFacts
    internal: bool = False  # attached to an internal note


Resource = Union[TicketFacts, AttachmentFacts, None]


def _ticket_of(resource: Resource) -> Optional[TicketFacts]:
    if isinstance(resource, AttachmentFacts):
        return resource.ticket
    return resource if isinstance(resource, TicketFacts) else None


# ---------------------------------------------------------------- the rules for an account


def sees_as_requester(user: "User", ticket: TicketFacts) -> bool:
    """The requester sees their ticket; until their address is verified, not the tickets opened as
    a guest with it before the account existed (else whoever registers first with someone else's
    address would read them; trust.verify_email lifts this)."""
    if ticket.requester_id != user.id:
        return False
    return user.email_verified_at is not None or user.registered_at is None or ticket.created_at >= user.registered_at


def is_org_admin_of(user: "User", ticket: TicketFacts) -> bool:
    return bool(user.is_org_admin and user.organization_id is not None and ticket.organization_id == user.organization_id)


def sees_ticket(user: "User", ticket: TicketFacts) -> bool:
    """Staff see every ticket; customers their own, their organization's when they are its admin,
    and the ones they are copied on once their address is verified."""
    if user.is_staff or sees_as_requester(user, ticket) or is_org_admin_of(user, ticket):
        return True
    if user.email_verified_at is None:
        return False
    return ticket.is_cc(user.email)


def _account_may(user: "User", action: Action, resource: Resource) -> bool:
    """The rules for an active account, whatever channel it came in by."""
    if action in ADMIN_ONLY:
        return user.role_enum is Role.ADMIN
    if action in STAFF_ONLY:
        ticket = _ticket_of(resource)
        return user.is_staff and (ticket is None or sees_ticket(user, ticket))
    if action in (Action.SIGNED_IN, Action.OPEN_TICKET, Action.CHAT):
        return True
    if action is Action.USE_API_WRITE:
        return False  # only an API token with write scope (handled in `can`)
    ticket = _ticket_of(resource)
    if ticket is None or not sees_ticket(user, ticket):
        return False
    if action is Action.VIEW_ATTACHMENT:
        return not (isinstance(resource, AttachmentFacts) and resource.internal) or user.is_staff
    if action is Action.ADD_CC:
        # A CC'd person sees the ticket but must not widen who else does.
        return user.is_staff or ticket.requester_id == user.id or is_org_admin_of(user, ticket)
    if action is Action.RATE_TICKET:
        return ticket.requester_id == user.id
    # VIEW_TICKET, REPLY_TICKET, REOPEN_TICKET, REMOVE_CC: whoever sees the ticket.
    return True


# ---------------------------------------------------------------- per kind of principal


def _link_holder_may(p: LinkHolder, action: Action, resource: Resource) -> bool:
    ticket = _ticket_of(resource)
    if ticket is None or (p.ticket_number is not None and ticket.number != p.ticket_number):
        return False  # a link opens its one ticket and nothing else
    account = p.account
    if account is not None and not account.is_active:
        return False
    if account is None or account.is_staff or account.id is None:
        # The mailbox only (no account, or an agent's address: a forwarded mail never carries an
        # agent's powers). The link proves the address, so it reads where that address is CC'd.
        if action not in MAILBOX_MAY:
            return False
        if isinstance(resource, AttachmentFacts) and resource.internal:
            return False
        return ticket.is_cc(p.email)
    if action is Action.VIEW_TICKET and account.email_verified_at is None and account.registered_at is not None:
        # Registered but not verified: its own visibility hides the guest tickets, yet whoever
        # reads the mailbox keeps the access the link gave them.
        return ticket.is_on_ticket(p.email)
    return _account_may(account, action, resource)


def can(principal: Optional["Principal"], action: Union[Action, str], resource: Resource = None) -> bool:
    """May `principal` do `action` (on `resource`: TicketFacts or AttachmentFacts)?"""
    action = Action(action)
    if principal is None or isinstance(principal, Visitor):
        return action in VISITOR_MAY
    if isinstance(principal, LinkHolder):
        return _link_holder_may(principal, action, resource)
    user = principal.user
    if user is None:
        # A mail from an address without an (active) account: it may open a guest ticket.
        return isinstance(principal, MailSender) and action is Action.OPEN_TICKET
    if not user.is_active:
        return False  # deactivated accounts may do nothing, by any channel
    if (user.is_staff and action is not Action.SIGNED_IN and not isinstance(principal, (ApiClient, MailSender))
            and staff_totp_rule.enrollment_due(user)):
        return False  # the admin requires two-step sign-in of staff: their own account first
    if isinstance(principal, ApiClient):
        if action in WRITES and not principal.can_write:
            return False
        if action is Action.USE_API_WRITE:
            return True
    if isinstance(principal, MailSender) and action is Action.OPEN_TICKET and user.is_staff:
        return False  # staff mail to the support address opens nothing
    return _account_may(user, action, resource)


def require(principal: Optional["Principal"], action: Union[Action, str], resource: Resource = None, *,
            code: str = "errors.forbidden") -> None:
    """Raise PermissionDenied(code) unless `can(principal, action, resource)`."""
    if not can(principal, action, resource):
        raise PermissionDenied(code)


def user_may(user: Optional["User"], action: Union[Action, str], resource: Resource = None) -> bool:
    """`can` for a signed-in user handed over as a User (pages' entry rules, None: nobody)."""
    from helpdesk.domain.principals import of_actor

    return user is not None and can(of_actor(user), action, resource)
