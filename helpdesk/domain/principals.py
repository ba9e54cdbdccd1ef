"""Who is calling: one small value per kind of caller, resolved once per event or request.

No database and no Reflex here: a principal only carries what was established when it was
resolved (services/principals.py does that) and hands the policy (services/policy.py) the
facts it decides on. Every principal answers two questions the same way:

- `user`: the stored account it acts as, or None (a visitor, a link holder without an account,
  a mail from an unknown address);
- `channel`: where it came in ("web", "link", "api", "mail", "anonymous"), for logs and audit.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Union

if TYPE_CHECKING:  # the account table; principals never load or save it
    from helpdesk.domain.accounts import User

SCOPE_READ = "read"
SCOPE_WRITE = "write"


@dataclass(frozen=True)
class SessionUser:
    """A signed-in user of the web app (server-side session)."""

    account: "User"
    channel: str = "web"

    @property
    def user(self) -> Optional["User"]:
        return self.account


@dataclass(frozen=True)
class LinkHolder:
    """Whoever holds a signed ticket link from an e-mail: they read the mailbox `email`, and act
    on the one ticket `ticket_number` only.

    `account` is the registered customer with that address when the link lets them act as
    themselves; None when the address has no account (a CC'd colleague) or belongs to staff (a
    forwarded mail never carries an agent's powers): then the holder may only read.
    `ticket_number` is None only for a principal rebuilt from the read-only stand-in account that
    `ticket_links.viewer` hands to services; the number was checked when the link was read.
    """

    email: str
    ticket_number: Optional[int] = None
    account: Optional["User"] = None
    channel: str = "link"

    @property
    def user(self) -> Optional["User"]:
        return self.account


@dataclass(frozen=True)
class ApiClient:
    """A request with a personal API token: acts as the token's user, narrowed by its scope."""

    account: "User"
    scope: str = SCOPE_READ
    token_id: Optional[int] = None
    channel: str = "api"

    @property
    def user(self) -> Optional["User"]:
        return self.account

    @property
    def can_write(self) -> bool:
        return self.scope == SCOPE_WRITE


@dataclass(frozen=True)
class MailSender:
    """The sender of an inbound mail. `verified` says whether the From address was authenticated
    (nothing sets it today: the From header is taken as it comes, as the web's e-mailed links
    take the mailbox). `account` is the active account with that address, if any."""

    email: str
    verified: bool = False
    account: Optional["User"] = None
    channel: str = "mail"

    @property
    def user(self) -> Optional["User"]:
        return self.account


@dataclass(frozen=True)
class Visitor:
    """Nobody signed in: may read the help center, chat and open a ticket as a guest."""

    channel: str = "anonymous"

    @property
    def user(self) -> Optional["User"]:
        return None


Principal = Union[SessionUser, LinkHolder, ApiClient, MailSender, Visitor]
PRINCIPAL_TYPES = (SessionUser, LinkHolder, ApiClient, MailSender, Visitor)


def is_principal(value: object) -> bool:
    return isinstance(value, PRINCIPAL_TYPES)


# The unsaved read-only stand-ins `ticket_links.viewer` hands to services for a link holder
# without an account, by object identity, with the one ticket their link opens. Weak: an entry
# goes with its object.
_stand_ins: dict[int, tuple[weakref.ref, Optional[int]]] = {}


def mark_link_stand_in(user: "User", ticket_number: Optional[int]) -> "User":
    """Remember that `user` is the read-only stand-in of a link holder for `ticket_number`."""
    key = id(user)

    def forget(ref: weakref.ref, key: int = key) -> None:
        if _stand_ins.get(key, (None,))[0] is ref:
            _stand_ins.pop(key, None)

    _stand_ins[key] = (weakref.ref(user, forget), ticket_number)
    return user


def link_stand_in_number(actor: object) -> tuple[bool, Optional[int]]:
    """(True, ticket number) when `actor` is a stand-in made by mark_link_stand_in."""
    entry = _stand_ins.get(id(actor))
    if entry is None or entry[0]() is not actor:
        return False, None
    return True, entry[1]


def of_actor(actor: object) -> Principal:
    """The principal behind an `actor` argument of a service function.

    Services keep taking the acting User (None for a guest), as every caller passes it; they
    may also be handed a principal, which passes through. The read-only stand-in that
    `ticket_links.viewer` makes for an address without an account is a link holder.
    """
    if is_principal(actor):
        return actor  # type: ignore[return-value]
    if actor is None:
        return Visitor()
    stand_in, number = link_stand_in_number(actor)
    if stand_in:
        return LinkHolder(email=getattr(actor, "email", ""), ticket_number=number)
    return SessionUser(actor)  # type: ignore[arg-type]
