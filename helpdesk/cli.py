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

    args = parser.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    raise SystemExit(main())
