"""The SMTP client of the outbox: one authenticated, encrypted connection per delivery round.

`HELPDESK_SMTP_SECURITY` picks how the connection is protected:

    none      plain SMTP (a relay on the same machine or network; the default)
    starttls  plain connection upgraded with STARTTLS before anything else is said; a server
              that does not offer STARTTLS is refused, never used in clear
    tls       implicit TLS from the first byte (smtplib.SMTP_SSL, usually port 465)

Certificates are checked against the system's CA store, or only against
`HELPDESK_SMTP_CA_FILE` when set (a private CA), and the host name must match. With
`HELPDESK_SMTP_USER` the client logs in (after TLS, when there is TLS). With a DKIM key every
message is signed just before it leaves (services/dkim_sign.py).

`is_config_error` tells the outbox which failures are about this server's setup (wrong
password, no STARTTLS, an untrusted certificate) rather than about one mail: those are retried
and logged as configuration problems, never blamed on the recipient.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from helpdesk.infra.settings import Settings
from helpdesk.services import dkim_sign

logger = logging.getLogger("helpdesk.mail")

SMTP_TIMEOUT_S = 30
# 530 authentication required / must issue STARTTLS, 534 mechanism too weak, 535 credentials
# rejected, 538 encryption required: the server refuses us, whatever the mail.
CONFIG_REPLY_CODES = frozenset({530, 534, 535, 538})


class SmtpSetupError(smtplib.SMTPException):
    """The server cannot be used as configured (no STARTTLS, no AUTH)."""


def is_config_error(exc: BaseException) -> bool:
    """A failure that retrying the same mail cannot fix and the recipient did not cause."""
    if isinstance(exc, (smtplib.SMTPAuthenticationError, SmtpSetupError, ssl.SSLError)):
        return True
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code in CONFIG_REPLY_CODES


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    # create_default_context: certificate and host name checked, TLS 1.2 at least.
    return ssl.create_default_context(cafile=ca_file) if ca_file else ssl.create_default_context()


def describe(settings: Settings) -> str:
    who = f" as {settings.smtp_user}" if settings.smtp_user else ""
    return f"{settings.smtp_host}:{settings.smtp_port} ({settings.smtp_security}){who}"


def _open(settings: Settings) -> smtplib.SMTP:
    host, port = settings.smtp_host or "", settings.smtp_port
    if settings.smtp_security == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=SMTP_TIMEOUT_S, context=tls_context(settings.smtp_ca_file)
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_S)
    try:
        if settings.smtp_security == "starttls":
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                raise SmtpSetupError(
                    f"{host}:{port} does not offer STARTTLS; not sending in clear (HELPDESK_SMTP_SECURITY=starttls)"
                )
            smtp.starttls(context=tls_context(settings.smtp_ca_file))
            smtp.ehlo()
        if settings.smtp_user:
            if settings.smtp_security == "none":
                logger.warning("SMTP login to %s:%s without TLS: the password travels in clear "
                               "(set HELPDESK_SMTP_SECURITY=starttls or tls)", host, port)
            smtp.ehlo_or_helo_if_needed()
            if not smtp.has_extn("auth"):
                raise SmtpSetupError(f"{host}:{port} does not offer AUTH; HELPDESK_SMTP_USER cannot log in")
            smtp.login(settings.smtp_user, settings.smtp_password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def serialize(msg: EmailMessage, settings: Settings, utf8: bool = False) -> bytes:
    """The bytes that go on the wire (CRLF lines), DKIM-signed when a key is configured."""
    data = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n", utf8=utf8))
    if settings.dkim_private_key and settings.dkim_selector and settings.dkim_domain:
        data = dkim_sign.sign(data, settings.dkim_selector, settings.dkim_domain, settings.dkim_private_key)
    return data


class Connection:
    """One SMTP connection per batch, opened on first use and dropped after any error.

    `unreachable` is set when opening failed (connection, TLS or login): the rest of the batch
    would fail the same way."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None
        self.unreachable = False

    def send(self, msg: EmailMessage) -> None:
        sender = parseaddr(str(msg["From"]))[1]
        recipients = [addr for _, addr in getaddresses([str(v) for v in msg.get_all("To", []) + msg.get_all("Cc", [])])]
        # As smtplib's send_message: a non-ASCII address needs the server's SMTPUTF8 (RFC 6531).
        international = not all(a.isascii() for a in (sender, *recipients))
        data = serialize(msg, self.settings, utf8=international)
        if self.smtp is None:
            try:
                self.smtp = _open(self.settings)
            except (OSError, smtplib.SMTPException):
                self.unreachable = True
                raise
        try:
            options: tuple[str, ...] = ()
            if international:
                if not self.smtp.has_extn("smtputf8"):
                    raise smtplib.SMTPNotSupportedError("one of the addresses needs SMTPUTF8, which the server lacks")
                options = ("SMTPUTF8", "BODY=8BITMIME")
            self.smtp.sendmail(sender, recipients, data, mail_options=options)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None
