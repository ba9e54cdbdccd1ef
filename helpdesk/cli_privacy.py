"""`helpdesk privacy ...`: erase an account, set the attachment retention, read the audit log,
from the server's command line (the same services as /admin → Privacidad; audited)."""

from __future__ import annotations

import argparse
import sys


def register(sub) -> None:  # noqa: ANN001 - argparse's private subparsers type
    p = sub.add_parser("privacy", help="erase an account, attachment retention, audit log")
    p.add_argument("action", choices=["anonymize", "retention", "audit"])
    p.add_argument("--email", help="anonymize: the account's address")
    p.add_argument("--days", help="retention: days after closing to keep attachments (0 = forever); omit to show")
    p.add_argument("--limit", type=int, default=30, help="audit: how many events, newest first")
    p.set_defaults(fn=run)


def run(args: argparse.Namespace) -> int:
    from helpdesk.infra import migrations
    from helpdesk.infra.db import session_scope
    from helpdesk.services import privacy, privacy_admin
    from helpdesk.services.errors import NotFound, ValidationError

    migrations.upgrade_locked()
    try:
        with session_scope() as s:
            if args.action == "anonymize":
                if not args.email:
                    print("error: --email is required", file=sys.stderr)
                    return 2
                user = privacy_admin.operator_anonymize(s, args.email)
                print(f"account {user.id} anonymized: sessions ended, tickets kept without the person's data")
            elif args.action == "retention":
                if args.days is not None:
                    privacy_admin.operator_set_retention(s, args.days)
                days = privacy.retention_days(s)
                print(f"attachments are kept {days} day(s) after a ticket closes" if days else "attachments are kept forever")
            else:
                for row in privacy_admin.operator_audit(s, args.limit):
                    who = row.actor or "-"
                    print(f"{row.at:%Y-%m-%d %H:%M:%S}  {row.action:<28} {who:<24} {row.target} {row.ip}".rstrip())
    except NotFound:
        print("error: no account with that e-mail", file=sys.stderr)
        return 1
    except ValidationError:
        print(f"error: days must be a whole number from 0 to {privacy.MAX_RETENTION_DAYS}", file=sys.stderr)
        return 2
    return 0
