"""The mails that keep an account trustworthy, queued in the caller's transaction (outbox).

Every text comes from the i18n catalogs (`trust.mail.<kind>.*`), rendered through the one
`account_notice` template, in the reader's language.
"""

from __future__ import annotations

from sqlmodel import Session

from helpdesk import i18n
from helpdesk.domain import utcnow
from helpdesk.infra.settings import get_settings
from helpdesk.domain.accounts import User
from helpdesk.services import account_tokens, mail
from helpdesk.services.errors import ServiceError

KINDS = frozenset({
    "verify", "already_registered", "reset", "password_changed", "email_change", "email_changed", "email_restored", "invite",
    "totp_enabled", "totp_disabled",
})


def link(path: str) -> str:
    return f"{get_settings().base_url}{path}"


class AlreadyRegistered(ServiceError):
    """Sign-up with an address that has an account: the owner got a mail; the visitor must get
    the same neutral answer as any sign-up (no account enumeration)."""

    def __init__(self) -> None:
        super().__init__("trust.register_sent")


def verify_path(token: str) -> str:
    return f"/verify/{token}"


def reset_path(token: str) -> str:
    return f"/reset/{token}"


def send_verification(session: Session, user: User) -> None:
    token = account_tokens.issue(session, account_tokens.VERIFY, user.id)
    send(session, to=user.email, name=user.name, locale=user.locale, kind="verify",
               url=link(verify_path(token)))


def tell_owner_of_signup_attempt(session: Session, user: User) -> None:
    """The address has an account: the owner learns of the attempt and gets a reset link."""
    token = account_tokens.issue(session, account_tokens.RESET, user.id)
    send(session, to=user.email, name=user.name, locale=user.locale, kind="already_registered",
               url=link(reset_path(token)))


def send(session: Session, *, to: str, name: str, locale: str, kind: str, url: str = "", key: str = "",
         **params: object) -> bool:
    """Queue one account mail. `key` makes a retry of the same request idempotent."""
    if kind not in KINDS:
        raise ValueError(f"unknown account mail {kind!r}")
    loc = i18n.normalize_locale(locale)
    tr = lambda part: i18n.translate(f"trust.mail.{kind}.{part}", loc, **params)  # noqa: E731
    lines = [p.strip() for p in tr("body").split("\n\n") if p.strip()]
    return mail.queue_template(
        session,
        to=to,
        template="account_notice",
        locale=loc,
        idempotency_key=key or f"account:{kind}:{to}:{utcnow().isoformat()}",
        name=name or to.split("@")[0],
        subject=tr("subject"),
        lines=lines,
        link=url,
        link_label=tr("button") if url else "",
        outro=i18n.translate("trust.mail.outro", loc),
    )
