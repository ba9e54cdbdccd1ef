"""Outgoing mail that real providers accept: STARTTLS / implicit TLS with certificate checks,
SMTP AUTH, configuration errors kept apart from bad recipients, DKIM signatures.

A real aiosmtpd server runs in-process with a self-signed certificate made here by openssl."""

from __future__ import annotations

import email
import email.policy
import logging
import re
import ssl
import subprocess
from datetime import timedelta
from pathlib import Path

import dkim
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import update
from sqlmodel import Session, select

from helpdesk import cli
from helpdesk.domain import utcnow
from helpdesk.domain.mail import OutboxMail
from helpdesk.infra.settings import SettingsError, get_settings
from helpdesk.services import dkim_sign, mail, smtp_client

# The implicit-TLS server has TLS on the whole connection, which aiosmtpd cannot know about.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

FROM = "Soporte <soporte@example.com>"
USER, PASSWORD = "mailer@example.com", "s3cret pass"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> dict[str, Path]:
    """A self-signed certificate for 127.0.0.1/localhost, and a DKIM key made by our CLI."""
    d = tmp_path_factory.mktemp("pki")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem"), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True, timeout=120,
    )
    return {"cert": d / "cert.pem", "key": d / "key.pem", "dir": d}


def server_context(pki) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(pki["cert"], pki["key"])
    return ctx


class Server:
    """aiosmtpd handler and authenticator that records what the client did."""

    def __init__(self):
        self.messages: list[tuple[bytes, object]] = []  # (raw bytes, session.ssl)
        self.auth_attempts: list[tuple[str, str, str]] = []  # (mechanism, login, password)
        self.mail_from_seen = 0

    def authenticator(self, server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.auth_attempts.append((mechanism, login, password))
        return AuthResult(success=(login, password) == (USER, PASSWORD), handled=False)  # False: aiosmtpd answers 535

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mail_from_seen += 1
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.original_content, session.ssl))
        return "250 Message accepted"


def start(mode: str, pki, **kw) -> tuple[Server, int, Controller]:
    """mode: 'starttls' (offers STARTTLS, AUTH only after it), 'tls' (implicit TLS), 'plain'
    (no STARTTLS at all, and it would even take a password in clear)."""
    handler, port = Server(), free_port()
    args: dict = dict(hostname="127.0.0.1", port=port, authenticator=handler.authenticator, **kw)
    if mode == "starttls":
        args.update(tls_context=server_context(pki), require_starttls=True, auth_required=True)
    elif mode == "tls":
        # The whole connection is TLS; aiosmtpd only knows about STARTTLS, hence auth_require_tls off.
        args.update(ssl_context=server_context(pki), auth_required=True, auth_require_tls=False)
    else:
        args.update(auth_require_tls=False)
    controller = Controller(handler, **args)
    controller.start()
    return handler, port, controller


@pytest.fixture
def servers(pki):
    started: list[Controller] = []

    def _start(mode: str, **kw) -> tuple[Server, int]:
        handler, port, controller = start(mode, pki, **kw)
        started.append(controller)
        return handler, port

    yield _start
    for c in started:
        c.stop()


def configure(monkeypatch, port: int, security: str, *, password: str = PASSWORD, ca=None, user: str = USER) -> None:
    monkeypatch.setenv("HELPDESK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HELPDESK_SMTP_PORT", str(port))
    monkeypatch.setenv("HELPDESK_SMTP_SECURITY", security)
    monkeypatch.setenv("HELPDESK_MAIL_FROM", FROM)
    for name, value in (("HELPDESK_SMTP_USER", user), ("HELPDESK_SMTP_PASSWORD", password if user else "")):
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)
    if ca:
        monkeypatch.setenv("HELPDESK_SMTP_CA_FILE", str(ca))
    else:
        monkeypatch.delenv("HELPDESK_SMTP_CA_FILE", raising=False)
    get_settings.cache_clear()


def queue(db, key: str = "ticket:1042:created", to: str = "ana@example.com") -> None:
    subject, text, html = mail.render_mail(
        "ticket_created", "es", name="Ana", ticket_number=1042, subject="No puedo entrar",
        expected_response="24 horas", link="http://localhost:3000/tickets/1042?t=abc",
    )
    with Session(db) as s:
        mail.queue_mail(s, to=to, subject=subject, text=text, html=html, idempotency_key=key)
        s.commit()


def rows(db) -> list[OutboxMail]:
    with Session(db) as s:
        return list(s.exec(select(OutboxMail).order_by(OutboxMail.id)).all())


# --- STARTTLS, implicit TLS and AUTH ------------------------------------------------------


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_starttls_and_auth_deliver(db, servers, pki, monkeypatch, mechanism):
    other = {"PLAIN": "LOGIN", "LOGIN": "PLAIN"}[mechanism]
    server, port = servers("starttls", auth_exclude_mechanism=[other])
    configure(monkeypatch, port, "starttls", ca=pki["cert"])
    queue(db)
    assert mail.deliver_pending() == 1
    assert server.auth_attempts == [(mechanism, USER, PASSWORD)]
    assert len(server.messages) == 1
    raw, tls_info = server.messages[0]
    assert tls_info is not None  # the mail went over the upgraded (encrypted) connection
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["To"] == "ana@example.com" and msg["From"] == FROM
    assert rows(db)[0].status == "sent"


def test_implicit_tls_delivers(db, servers, pki, monkeypatch):
    server, port = servers("tls")
    configure(monkeypatch, port, "tls", ca=pki["cert"])
    queue(db)
    assert mail.deliver_pending() == 1
    assert [a[1:] for a in server.auth_attempts] == [(USER, PASSWORD)]
    assert len(server.messages) == 1
    assert rows(db)[0].status == "sent"


def test_implicit_tls_to_a_plain_server_fails(db, servers, pki, monkeypatch):
    server, port = servers("plain")
    configure(monkeypatch, port, "tls", ca=pki["cert"])
    queue(db)
    assert mail.deliver_pending() == 0
    assert server.messages == [] and server.auth_attempts == []
    assert rows(db)[0].status == "queued"


def test_wrong_password_is_a_config_error_retried_not_a_bad_recipient(db, servers, pki, monkeypatch, caplog):
    server, port = servers("starttls")
    configure(monkeypatch, port, "starttls", ca=pki["cert"], password="wrong")
    queue(db, "k1", to="ana@example.com")
    queue(db, "k2", to="luis@example.com")
    now = utcnow()
    with caplog.at_level(logging.ERROR, logger="helpdesk.mail"):
        assert mail.deliver_pending(now=now) == 0
    assert server.messages == [] and server.mail_from_seen == 0
    # The batch stops after one login() (smtplib tries PLAIN, then LOGIN), not one per mail.
    assert [a[0] for a in server.auth_attempts] == ["PLAIN", "LOGIN"]
    first, second = rows(db)
    assert (first.status, first.attempts) == ("queued", 1)
    assert first.last_error.startswith("config: SMTPAuthenticationError") and "535" in first.last_error
    assert first.next_attempt_at - now == timedelta(minutes=1)
    assert (second.status, second.attempts) == ("queued", 0)
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("misconfigured" in m and "HELPDESK_SMTP" in m and "stays queued" in m for m in logged)

    # Even past the attempts that give up on a mail, a configuration error never fails it.
    with Session(db) as s:
        s.exec(update(OutboxMail).values(attempts=mail.MAX_ATTEMPTS + 3, next_attempt_at=now))
        s.commit()
    assert mail.deliver_pending(now=now) == 0
    assert {r.status for r in rows(db)} == {"queued"}
    assert rows(db)[0].next_attempt_at - now == mail.BACKOFF_CAP

    # Fixed password: the queued mails go out.
    configure(monkeypatch, port, "starttls", ca=pki["cert"])
    assert mail.deliver_pending(now=now + timedelta(hours=2)) == 2
    assert len(server.messages) == 2 and {r.status for r in rows(db)} == {"sent"}


def test_starttls_required_but_not_offered_sends_nothing_in_clear(db, servers, pki, monkeypatch):
    server, port = servers("plain")  # would accept AUTH and mail without TLS
    configure(monkeypatch, port, "starttls", ca=pki["cert"])
    queue(db)
    assert mail.deliver_pending() == 0
    assert server.auth_attempts == [] and server.mail_from_seen == 0 and server.messages == []
    row = rows(db)[0]
    assert row.status == "queued" and "STARTTLS" in row.last_error and row.last_error.startswith("config:")


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_untrusted_certificate_is_refused(db, servers, monkeypatch, security):
    server, port = servers(security)
    configure(monkeypatch, port, security, ca=None)  # system CAs do not know our self-signed cert
    queue(db)
    assert mail.deliver_pending() == 0
    assert server.auth_attempts == [] and server.messages == []
    row = rows(db)[0]
    assert row.status == "queued" and "CERTIFICATE_VERIFY_FAILED" in row.last_error


def test_certificate_for_another_host_name_is_refused(db, servers, tmp_path, monkeypatch):
    other = tmp_path / "other"
    other.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", str(other / "key.pem"),
         "-out", str(other / "cert.pem"), "-subj", "/CN=mail.example.org", "-addext", "subjectAltName=DNS:mail.example.org"],
        check=True, capture_output=True, timeout=120,
    )
    server, port, controller = start("starttls", {"cert": other / "cert.pem", "key": other / "key.pem"})
    try:
        configure(monkeypatch, port, "starttls", ca=other / "cert.pem")  # trusted, but not for 127.0.0.1
        queue(db)
        assert mail.deliver_pending() == 0
    finally:
        controller.stop()
    assert server.auth_attempts == [] and server.messages == []
    assert "CERTIFICATE_VERIFY_FAILED" in rows(db)[0].last_error


def test_config_errors_are_told_apart_from_bad_recipients():
    import smtplib

    assert smtp_client.is_config_error(smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials"))
    assert smtp_client.is_config_error(smtplib.SMTPSenderRefused(530, b"5.7.0 Authentication required", "a@b.c"))
    assert smtp_client.is_config_error(ssl.SSLCertVerificationError("bad cert"))
    assert not smtp_client.is_config_error(smtplib.SMTPRecipientsRefused({"x@y.z": (550, b"no such user")}))
    assert not mail._is_permanent(smtplib.SMTPAuthenticationError(535, b"x"))
    assert mail._is_permanent(smtplib.SMTPRecipientsRefused({"x@y.z": (550, b"no such user")}))


# --- settings ------------------------------------------------------------------------------


def test_security_setting_is_validated_and_picks_the_usual_port(data_dir, monkeypatch, capsys):
    for value, port in (("", 25), ("none", 25), ("STARTTLS", 587), ("tls", 465)):
        monkeypatch.setenv("HELPDESK_SMTP_SECURITY", value)
        get_settings.cache_clear()
        assert get_settings().smtp_port == port and get_settings().smtp_security == (value.lower() or "none")
    monkeypatch.setenv("HELPDESK_SMTP_PORT", "2525")
    get_settings.cache_clear()
    assert get_settings().smtp_port == 2525

    monkeypatch.setenv("HELPDESK_SMTP_SECURITY", "ssl")
    get_settings.cache_clear()
    with pytest.raises(SettingsError, match="HELPDESK_SMTP_SECURITY must be one of none, starttls, tls"):
        get_settings()
    # The command line stops with that message, not a traceback.
    assert cli.main(["db", "upgrade"]) == 2
    assert "HELPDESK_SMTP_SECURITY must be one of" in capsys.readouterr().err
    get_settings.cache_clear()


def test_user_without_password_and_unreadable_files_fail_at_start(data_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("HELPDESK_SMTP_USER", USER)
    monkeypatch.delenv("HELPDESK_SMTP_PASSWORD", raising=False)
    get_settings.cache_clear()
    with pytest.raises(SettingsError, match="HELPDESK_SMTP_PASSWORD"):
        get_settings()
    monkeypatch.delenv("HELPDESK_SMTP_USER")
    monkeypatch.setenv("HELPDESK_SMTP_CA_FILE", str(tmp_path / "missing.pem"))
    get_settings.cache_clear()
    with pytest.raises(SettingsError, match="HELPDESK_SMTP_CA_FILE"):
        get_settings()
    monkeypatch.delenv("HELPDESK_SMTP_CA_FILE")
    monkeypatch.setenv("HELPDESK_DKIM_SELECTOR", "s1")
    monkeypatch.setenv("HELPDESK_DKIM_PRIVATE_KEY_FILE", str(tmp_path / "missing.key"))
    get_settings.cache_clear()
    with pytest.raises(SettingsError, match="HELPDESK_DKIM_PRIVATE_KEY_FILE .* cannot be read"):
        get_settings()
    (tmp_path / "junk.key").write_text("not a key\n")
    monkeypatch.setenv("HELPDESK_DKIM_PRIVATE_KEY_FILE", str(tmp_path / "junk.key"))
    get_settings.cache_clear()
    with pytest.raises(SettingsError, match="not a PEM RSA private key"):
        get_settings()
    get_settings.cache_clear()


# --- DKIM ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dkim_key(pki) -> tuple[Path, str]:
    """A key pair made by `helpdesk dkim-keygen`, and the TXT record it told us to publish."""
    out = pki["dir"] / "dkim.key"
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert cli.main(["dkim-keygen", "--selector", "hd2026", "--domain", "example.com", "--out", str(out)]) == 0
    printed = buf.getvalue()
    assert "hd2026._domainkey.example.com" in printed
    txt = re.search(r"value: (v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]+)\n", printed)
    assert txt, printed
    assert out.stat().st_mode & 0o777 == 0o600
    return out, txt.group(1)


def test_keygen_does_not_overwrite_a_key(dkim_key, capsys):
    out, _ = dkim_key
    before = out.read_bytes()
    assert cli.main(["dkim-keygen", "--selector", "x", "--domain", "example.com", "--out", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err and out.read_bytes() == before


def test_delivered_mail_is_dkim_signed_and_verifies(db, servers, pki, dkim_key, monkeypatch):
    key_file, txt = dkim_key
    server, port = servers("starttls")
    configure(monkeypatch, port, "starttls", ca=pki["cert"])
    monkeypatch.setenv("HELPDESK_DKIM_SELECTOR", "hd2026")
    monkeypatch.setenv("HELPDESK_DKIM_PRIVATE_KEY_FILE", str(key_file))
    get_settings.cache_clear()
    assert get_settings().dkim_domain == "example.com"  # from HELPDESK_MAIL_FROM
    queue(db)
    assert mail.deliver_pending() == 1
    raw = server.messages[0][0]

    lookups: list[bytes] = []

    def dnsfunc(name, timeout=5):
        lookups.append(name)
        return txt.encode() if name == b"hd2026._domainkey.example.com." else None

    assert dkim.verify(raw, dnsfunc=dnsfunc) is True
    assert lookups == [b"hd2026._domainkey.example.com."]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    sig = " ".join(str(msg["DKIM-Signature"]).split())
    assert "d=example.com" in sig and "s=hd2026" in sig and "c=relaxed/relaxed" in sig
    signed = {h.strip().lower() for h in re.search(r"h=([^;]+)", sig).group(1).split(":")}
    assert {"from", "to", "subject", "date", "message-id", "reply-to", "in-reply-to", "references"} <= signed
    assert msg["Date"] and msg["Message-ID"].endswith("@example.com>")

    # Any change on the way breaks it: a word of the body, or the subject.
    body_start = raw.index(b"\r\n\r\n")
    tampered_body = raw[:body_start] + raw[body_start:].replace(b"1042", b"1043", 1)
    assert tampered_body != raw and dkim.verify(tampered_body, dnsfunc=dnsfunc) is False
    tampered_subject = raw.replace(b"No puedo entrar", b"Pague aqui", 1)
    assert tampered_subject != raw and dkim.verify(tampered_subject, dnsfunc=dnsfunc) is False


def test_without_dkim_settings_nothing_is_signed(db, servers, pki, monkeypatch):
    server, port = servers("starttls")
    configure(monkeypatch, port, "starttls", ca=pki["cert"])
    monkeypatch.delenv("HELPDESK_DKIM_SELECTOR", raising=False)
    queue(db)
    assert mail.deliver_pending() == 1
    assert b"DKIM-Signature" not in server.messages[0][0]


def test_signing_keeps_the_message_and_adds_one_header(dkim_key):
    key_file, _ = dkim_key
    message = b"From: a@example.com\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nbody\r\n"
    signed = dkim_sign.sign(message, "hd2026", "example.com", key_file.read_bytes())
    assert signed.startswith(b"DKIM-Signature: ") and signed.endswith(message)


def test_international_recipient_goes_out_with_smtputf8(db, servers, pki, monkeypatch):
    server, port = servers("starttls", enable_SMTPUTF8=True)
    configure(monkeypatch, port, "starttls", ca=pki["cert"])
    queue(db, to="josé@example.com")
    assert mail.deliver_pending() == 1
    msg = email.message_from_bytes(server.messages[0][0], policy=email.policy.default)
    assert msg["To"] == "josé@example.com"
