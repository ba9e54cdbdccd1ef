"""Runtime settings, read from the environment once (see README's configuration table)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from email.utils import parseaddr
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

SMTP_SECURITY = ("none", "starttls", "tls")
# Conventional port of each: plain relay, submission with STARTTLS, submissions (implicit TLS).
SMTP_DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


class SettingsError(ValueError):
    """A configuration value that cannot work; the message names the variable and what it takes."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


@dataclass(frozen=True)
class Settings:
    port: int
    data_dir: Path
    db_url: str
    base_url: str
    smtp_host: str | None
    smtp_port: int
    mail_from: str
    demo: bool
    captcha_max_number: int
    secret_key: str
    max_file_bytes: int = 10 * 1024 * 1024
    max_ticket_bytes: int = 25 * 1024 * 1024
    # Bytes that forms may stage (upload before sending) in one expiry window, all clients together.
    staged_max_bytes: int = 2 * 1024 * 1024 * 1024
    session_days: int = 14
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_security: str = "none"  # none | starttls | tls
    smtp_ca_file: str | None = None  # else the system's CA store
    dkim_selector: str | None = None
    dkim_domain: str | None = None
    dkim_private_key: bytes | None = field(default=None, repr=False)  # PEM, read and checked at startup
    extra: dict = field(default_factory=dict)

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")


def _secret_key(data_dir: Path) -> str:
    """A stable server secret: from the environment, else generated once into the data dir."""
    env = os.environ.get("HELPDESK_SECRET_KEY", "").strip()
    if env:
        return env
    path = data_dir / "secret.key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # Exclusive create: when two workers start together only one key wins.
        try:
            with open(path, "x") as fh:
                fh.write(key)
            os.chmod(path, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        return key


def _smtp_security() -> str:
    value = _env("HELPDESK_SMTP_SECURITY").lower() or "none"
    if value not in SMTP_SECURITY:
        raise SettingsError(
            f"HELPDESK_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)} (got {value!r})"
        )
    return value


def _smtp_credentials() -> tuple[str, str]:
    user = _env("HELPDESK_SMTP_USER")
    password = os.environ.get("HELPDESK_SMTP_PASSWORD", "")  # not stripped: spaces may be part of it
    if bool(user) != bool(password):
        raise SettingsError("HELPDESK_SMTP_USER and HELPDESK_SMTP_PASSWORD must be set together")
    return user, password


def _ca_file() -> str | None:
    path = _env("HELPDESK_SMTP_CA_FILE")
    if path and not os.access(path, os.R_OK):
        raise SettingsError(f"HELPDESK_SMTP_CA_FILE {path!r} is not a readable file")
    return path or None


def _mail_from() -> str:
    value = _env("HELPDESK_MAIL_FROM") or "Centro de ayuda <soporte@localhost>"
    address = parseaddr(value)[1]
    if "@" not in address or not address.rpartition("@")[2]:
        raise SettingsError(f"HELPDESK_MAIL_FROM must contain an address like name@domain (got {value!r})")
    return value


def _dkim(mail_from: str) -> tuple[str | None, str | None, bytes | None]:
    selector, key_file = _env("HELPDESK_DKIM_SELECTOR"), _env("HELPDESK_DKIM_PRIVATE_KEY_FILE")
    if not selector and not key_file:
        return None, None, None
    if not (selector and key_file):
        raise SettingsError("HELPDESK_DKIM_SELECTOR and HELPDESK_DKIM_PRIVATE_KEY_FILE must be set together")
    domain = _env("HELPDESK_DKIM_DOMAIN").lower() or parseaddr(mail_from)[1].rpartition("@")[2].lower()
    try:
        key = Path(key_file).read_bytes()
    except OSError as err:
        raise SettingsError(f"HELPDESK_DKIM_PRIVATE_KEY_FILE {key_file!r} cannot be read: {err.strerror}") from err
    from dkim.crypto import UnparsableKeyError, parse_pem_private_key

    try:
        parse_pem_private_key(key)
    except (UnparsableKeyError, ValueError, IndexError) as err:
        detail = " ".join(str(err).split())
        raise SettingsError(f"HELPDESK_DKIM_PRIVATE_KEY_FILE {key_file!r} is not a PEM RSA private key ({detail})") from err
    return selector, domain, key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Raises SettingsError (a ValueError) for a value that cannot work, so a bad setup stops at start."""
    port = _int("PORT", 3000)
    data_dir = Path(os.environ.get("HELPDESK_DATA_DIR", "") or REPO_ROOT / "data").resolve()
    db_url = os.environ.get("HELPDESK_DB_URL", "").strip() or f"sqlite:///{data_dir / 'helpdesk.db'}"
    security = _smtp_security()
    user, password = _smtp_credentials()
    mail_from = _mail_from()
    dkim_selector, dkim_domain, dkim_key = _dkim(mail_from)
    return Settings(
        port=port,
        data_dir=data_dir,
        db_url=db_url,
        base_url=(os.environ.get("HELPDESK_BASE_URL", "").strip() or f"http://localhost:{port}").rstrip("/"),
        smtp_host=os.environ.get("HELPDESK_SMTP_HOST", "").strip() or None,
        smtp_port=_int("HELPDESK_SMTP_PORT", SMTP_DEFAULT_PORTS[security]),
        mail_from=mail_from,
        demo=os.environ.get("HELPDESK_DEMO", "0").strip() not in ("", "0", "false", "no"),
        captcha_max_number=_int("HELPDESK_CAPTCHA_MAX_NUMBER", 50_000),
        secret_key=_secret_key(data_dir),
        max_file_bytes=_int("HELPDESK_MAX_FILE_MB", 10) * 1024 * 1024,
        max_ticket_bytes=_int("HELPDESK_MAX_TICKET_MB", 25) * 1024 * 1024,
        staged_max_bytes=_int("HELPDESK_STAGED_MAX_BYTES", 2 * 1024 * 1024 * 1024),
        smtp_user=user,
        smtp_password=password,
        smtp_security=security,
        smtp_ca_file=_ca_file(),
        dkim_selector=dkim_selector,
        dkim_domain=dkim_domain,
        dkim_private_key=dkim_key,
    )
