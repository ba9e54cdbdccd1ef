"""Runtime settings, read from the environment once (see README's configuration table)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


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
    session_days: int = 14
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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    port = _int("PORT", 3000)
    data_dir = Path(os.environ.get("HELPDESK_DATA_DIR", "") or REPO_ROOT / "data").resolve()
    db_url = os.environ.get("HELPDESK_DB_URL", "").strip() or f"sqlite:///{data_dir / 'helpdesk.db'}"
    return Settings(
        port=port,
        data_dir=data_dir,
        db_url=db_url,
        base_url=(os.environ.get("HELPDESK_BASE_URL", "").strip() or f"http://localhost:{port}").rstrip("/"),
        smtp_host=os.environ.get("HELPDESK_SMTP_HOST", "").strip() or None,
        smtp_port=_int("HELPDESK_SMTP_PORT", 25),
        mail_from=os.environ.get("HELPDESK_MAIL_FROM", "").strip() or "Centro de ayuda <soporte@localhost>",
        demo=os.environ.get("HELPDESK_DEMO", "0").strip() not in ("", "0", "false", "no"),
        captcha_max_number=_int("HELPDESK_CAPTCHA_MAX_NUMBER", 50_000),
        secret_key=_secret_key(data_dir),
        max_file_bytes=_int("HELPDESK_MAX_FILE_MB", 10) * 1024 * 1024,
        max_ticket_bytes=_int("HELPDESK_MAX_TICKET_MB", 25) * 1024 * 1024,
    )
