"""`helpdesk` command line: accounts, demo data, migrations and serving."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from helpdesk.infra.settings import REPO_ROOT


def _createuser(args: argparse.Namespace) -> int:
    from helpdesk.domain.accounts import Role
    from helpdesk.infra import migrations
    from helpdesk.infra.db import session_scope
    from helpdesk.services import accounts
    from helpdesk.services.errors import ValidationError

    migrations.upgrade_locked()
    try:
        with session_scope() as s:
            user = accounts.create_user(
                s,
                email=args.email,
                password=args.password,
                name=args.name or "",
                role=Role(args.role),
                org_name=args.org,
                org_admin=args.org_admin,
            )
            print(f"created {user.role} {user.email} (id {user.id})")
    except ValidationError as err:
        for field, key in err.errors.items():
            print(f"error: {field}: {key}", file=sys.stderr)
        return 2
    return 0


def _seed(_: argparse.Namespace) -> int:
    from helpdesk.infra import migrations
    from helpdesk.infra.db import session_scope
    from helpdesk.services import seed

    migrations.upgrade_locked()
    with session_scope() as s:
        seed.ensure_configuration(s)
        created = seed.seed_demo(s)
    print("demo data:", ", ".join(f"{k} +{v}" for k, v in created.items()))
    print(seed.demo_credentials_text())
    return 0


def _db(args: argparse.Namespace) -> int:
    from helpdesk.infra import migrations

    if args.action == "upgrade":
        migrations.upgrade_locked()
        print("database is at the latest migration")
    elif args.action == "downgrade":
        migrations.downgrade(revision=args.revision or "-1")
    return 0


def _serve(args: argparse.Namespace) -> int:
    """Production mode on one port: migrate (and load demo data) first, then hand over to Reflex."""
    from helpdesk import startup
    from helpdesk.infra.db import session_scope
    from helpdesk.infra.settings import get_settings
    from helpdesk.services import seed

    settings = get_settings()
    with session_scope() as s:
        first_start = seed.is_empty(s) if _db_exists(settings) else True
    startup.prepare_database()
    if settings.demo and first_start:
        print(seed.demo_credentials_text(), flush=True)
    env = dict(os.environ)
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
    env["PORT"] = str(settings.port)
    env["HELPDESK_SERVE_INBOUND"] = "1"  # only `serve` receives mail (services/inbound/runner.py)
    cmd = [sys.executable, "-m", "helpdesk.infra.reflex_run", "run", "--env", "prod", "--frontend-port", str(settings.port)]
    if args.backend_only:
        cmd.append("--backend-only")
    print(f"serving on http://localhost:{settings.port}", flush=True)
    return subprocess.call(cmd, cwd=REPO_ROOT, env=env)


def _backup(args: argparse.Namespace) -> int:
    from datetime import datetime

    from helpdesk.services import backup

    out = args.out or f"helpdesk-backup-{datetime.now():%Y%m%d-%H%M%S}.tar.gz"
    try:
        manifest = backup.create_backup(out)
    except backup.BackupError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(
        f"backup written to {out}: {manifest['db_kind']} database at revision {manifest['alembic_revision']}, "
        f"{manifest['attachments']['count']} attachment(s)"
    )
    return 0


def _restore(args: argparse.Namespace) -> int:
    from helpdesk.services import backup

    try:
        manifest = backup.restore_backup(args.file)
    except backup.BackupError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(
        f"restored {args.file} (made {manifest['created_at']}, revision {manifest['alembic_revision']}, "
        f"{manifest['attachments']['count']} attachment(s)); the database is at the latest migration"
    )
    return 0


def _token(args: argparse.Namespace) -> int:
    """`helpdesk token create`: the new token is printed once, alone on the last line."""
    from sqlmodel import select

    from helpdesk.domain.accounts import User, normalize_email
    from helpdesk.infra import migrations
    from helpdesk.infra.db import session_scope
    from helpdesk.services import api_tokens
    from helpdesk.services.errors import ValidationError

    migrations.upgrade_locked()
    try:
        with session_scope() as s:
            user = s.exec(select(User).where(User.email == normalize_email(args.email))).first()
            if user is None or not user.is_active:
                print(f"error: no active user {args.email}", file=sys.stderr)
                return 2
            row, secret = api_tokens.create_token(s, user, name=args.name or "CLI", scope=args.scope,
                                                  expires_in_days=args.expires_days)
            print(f"token {row.id} for {user.email} ({row.scope}); shown only now:")
            print(secret)
    except ValidationError as err:
        for field, key in err.errors.items():
            print(f"error: {field}: {key}", file=sys.stderr)
        return 2
    return 0


def _webhook(args: argparse.Namespace) -> int:
    from helpdesk.infra import migrations
    from helpdesk.infra.db import session_scope
    from helpdesk.services import webhooks
    from helpdesk.services.errors import ValidationError

    migrations.upgrade_locked()
    try:
        with session_scope() as s:
            if args.action == "add":
                endpoint, secret = webhooks.add_endpoint(s, None, url=args.url, events=args.events or "",
                                                         secret=args.secret or "", trusted=True)
                print(f"webhook {endpoint.id} added: {endpoint.url} ({endpoint.events})")
                if not args.secret:
                    print(f"secret (shown only now): {secret}")
            elif args.action == "remove":
                if not webhooks.remove_endpoint(s, None, url=args.url, trusted=True):
                    print(f"error: no webhook with URL {args.url}", file=sys.stderr)
                    return 2
                print(f"webhook removed: {args.url}")
    except ValidationError as err:
        for field, key in err.errors.items():
            print(f"error: {field}: {key}", file=sys.stderr)
        return 2
    return 0


def _dkim_keygen(args: argparse.Namespace) -> int:
    """A DKIM key pair: the private key to a file (0600), the DNS TXT record to publish printed."""
    from pathlib import Path

    from helpdesk.services import dkim_sign

    out = Path(args.out)
    try:
        public_der = dkim_sign.keygen(out, bits=args.bits)
    except FileExistsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except (OSError, subprocess.SubprocessError) as err:
        print(f"error: could not make the key with openssl: {err}", file=sys.stderr)
        return 1
    name = dkim_sign.dns_record_name(args.selector, args.domain)
    value = dkim_sign.dns_txt_value(public_der)
    chunks = " ".join(f'"{value[i:i + 250]}"' for i in range(0, len(value), 250))  # 255 max per string
    print(f"private key written to {out} (keep it secret; mode 0600)")
    print("publish this DNS TXT record:")
    print(f"  name:  {name}")
    print(f"  value: {value}")
    print(f"  zone file: {name}. IN TXT ( {chunks} )")
    print(f"then set HELPDESK_DKIM_SELECTOR={args.selector} HELPDESK_DKIM_DOMAIN={args.domain} "
          f"HELPDESK_DKIM_PRIVATE_KEY_FILE={out.resolve()}")
    return 0


def _db_exists(settings) -> bool:
    if not settings.is_sqlite:
        # A fresh PostgreSQL database exists but has no tables until the first migration.
        from sqlalchemy import inspect

        from helpdesk.infra.db import get_engine

        return inspect(get_engine()).has_table("users")
    return (settings.data_dir / "helpdesk.db").exists()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="helpdesk", description="Centro de ayuda: administración")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("createuser", help="create a user account")
    p.add_argument("--email", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--role", choices=["customer", "agent", "admin"], default="customer")
    p.add_argument("--name")
    p.add_argument("--org", help="organization name (created if missing)")
    p.add_argument("--org-admin", action="store_true", help="the user administers their organization")
    p.set_defaults(fn=_createuser)

    p = sub.add_parser("seed", help="load demo data (idempotent)")
    p.set_defaults(fn=_seed)

    p = sub.add_parser("db", help="database migrations")
    p.add_argument("action", choices=["upgrade", "downgrade"])
    p.add_argument("--revision")
    p.set_defaults(fn=_db)

    p = sub.add_parser("serve", help="run the app in production mode on $PORT")
    p.add_argument("--backend-only", action="store_true")
    p.set_defaults(fn=_serve)

    p = sub.add_parser("backup", help="write database, attachments and secret key to one archive")
    p.add_argument("--out", help="archive path (default: helpdesk-backup-<time>.tar.gz)")
    p.set_defaults(fn=_backup)

    p = sub.add_parser("restore", help="replace this install's data with an archive (stop the server first)")
    p.add_argument("file")
    p.set_defaults(fn=_restore)

    p = sub.add_parser("token", help="API tokens")
    p.add_argument("action", choices=["create"])
    p.add_argument("--email", required=True)
    p.add_argument("--name")
    p.add_argument("--scope", choices=["read", "write"], default="write")
    p.add_argument("--expires-days", type=int)
    p.set_defaults(fn=_token)

    p = sub.add_parser("webhook", help="webhook endpoints")
    p.add_argument("action", choices=["add", "remove"])
    p.add_argument("--url", required=True)
    p.add_argument("--events", help="comma-separated: ticket.created,ticket.updated,message.created,csat.received")
    p.add_argument("--secret", help="shared secret for the signature (default: generated and printed)")
    p.set_defaults(fn=_webhook)
    p = sub.add_parser("totp", help="two-step sign-in of an account")
    p.add_argument("action", choices=["off"])
    p.add_argument("--email", required=True)
    p.set_defaults(fn=_totp)

    p = sub.add_parser("holidays", help="import national/regional holidays (then editable in /admin)")
    p.add_argument("action", choices=["import"])
    p.add_argument("--country", required=True, help="ISO country code, e.g. ES")
    p.add_argument("--region", default="", help="region code, e.g. MD")
    p.add_argument("--year", type=int, required=True)
    p.set_defaults(fn=_holidays)

    p = sub.add_parser("dkim-keygen", help="make a DKIM key pair and print the DNS TXT record to publish")
    p.add_argument("--selector", required=True)
    p.add_argument("--domain", required=True, help="the domain of HELPDESK_MAIL_FROM")
    p.add_argument("--out", required=True, help="private key file to write (PEM; refused if it exists)")
    p.add_argument("--bits", type=int, default=2048, choices=[1024, 2048, 3072, 4096])
    p.set_defaults(fn=_dkim_keygen)

    from helpdesk import cli_privacy

    cli_privacy.register(sub)

    args = parser.parse_args(argv)
    from helpdesk.infra.settings import SettingsError

    try:
        return args.fn(args)
    except SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _totp(args: argparse.Namespace) -> int:
    from helpdesk.infra import migrations
    from helpdesk.infra.db import session_scope
    from helpdesk.services import totp
    from helpdesk.services.errors import ServiceError

    migrations.upgrade_locked()
    try:
        with session_scope() as s:
            user = totp.operator_disable(s, args.email)
            print(f"two-step sign-in is off for {user.email}; recovery codes removed")
    except ServiceError:
        print("error: no account with that e-mail", file=sys.stderr)
        return 1
    return 0


def _holidays(args: argparse.Namespace) -> int:
    from helpdesk.infra import migrations
    from helpdesk.infra.db import session_scope
    from helpdesk.services import holiday_import
    from helpdesk.services.errors import ValidationError

    migrations.upgrade_locked()
    try:
        with session_scope() as s:
            added = holiday_import.import_unchecked(s, args.country, args.region, args.year)
    except ValidationError:
        print("error: unknown country, region or year", file=sys.stderr)
        return 1
    print(f"{added} holiday(s) added")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
