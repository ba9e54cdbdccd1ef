"""Privacy (GDPR): download my data, erase me, admin erasure, attachment retention.

Erasure anonymizes instead of deleting: tickets are business records and stay, but nothing in
them points at the person any more (name, e-mail, sign-in, sessions, CC rows). The audit log
keeps that an erasure happened, under the account id only.
"""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import delete, update
from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import LoginAttempt, Organization, User
from helpdesk.domain.kb import ArticleVote
from helpdesk.domain.mail import AuditEvent
from helpdesk.domain.sla import Setting
from helpdesk.domain.tickets import Attachment, Message, SatisfactionRating, Ticket, TicketCC, TicketStatus
from helpdesk.infra.storage import InvalidDigest, get_store
from helpdesk.services import accounts, attachments, audit, ticket_moves
from helpdesk.services.authz import require_admin, require_user
from helpdesk.services.errors import PermissionDenied, ServiceError, ValidationError
from helpdesk.services.tickets import own_tickets_condition

ANONYMIZED_NAME = "Usuario eliminado"
ANONYMIZED_DOMAIN = "anonymized.invalid"  # .invalid never resolves (RFC 2606): no mail can go out
# A value no password hashes to: passlib cannot identify it, so verify_password() is False,
# and it is not "" (which register() would treat as a guest account to be claimed).
UNUSABLE_PASSWORD = "!anonymized"
RETENTION_KEY = "attachment_retention_days"
MAX_RETENTION_DAYS = 3650


def _iso(value: Optional[datetime]) -> Optional[str]:
    return value.isoformat() if value else None


# ---------------------------------------------------------------- export


def export_my_data(session: Session, actor: Optional[User], *, ip: str = "") -> bytes:
    """A zip: data.json (profile, requested tickets with visible messages, ratings, votes) and
    files/ with the attachments of those visible messages. Internal notes are never included."""
    user = session.get(User, require_user(actor).id)
    org = session.get(Organization, user.organization_id) if user.organization_id else None
    # Not the guest tickets of an unverified address (see tickets.own_tickets_condition).
    tickets = session.exec(select(Ticket).where(own_tickets_condition(user)).order_by(Ticket.number)).all()
    ticket_ids = [t.id for t in tickets]
    messages = session.exec(
        select(Message).where(Message.ticket_id.in_(ticket_ids), Message.is_internal == False)  # noqa: E712
        .order_by(Message.ticket_id, Message.created_at, Message.id)
    ).all() if ticket_ids else []
    visible = {m.id for m in messages}
    files = [a for a in session.exec(select(Attachment).where(Attachment.ticket_id.in_(ticket_ids))).all()
             if a.message_id in visible] if ticket_ids else []
    ratings = session.exec(select(SatisfactionRating).where(SatisfactionRating.ticket_id.in_(ticket_ids))).all() if ticket_ids else []
    votes = session.exec(select(ArticleVote).where(ArticleVote.voter_key == f"u:{user.id}")).all()
    number = {t.id: t.number for t in tickets}
    data = {
        "exported_at": utcnow().isoformat(),
        "profile": {
            "name": user.name, "email": user.email, "role": user.role, "locale": user.locale,
            "organization": org.name if org else None, "is_org_admin": user.is_org_admin,
            "created_at": _iso(user.created_at),
        },
        "tickets": [
            {
                "number": t.number, "subject": t.subject, "status": t.status, "category": t.category,
                "created_at": _iso(t.created_at), "closed_at": _iso(t.closed_at),
                "messages": [
                    {"from_me": m.author_id == user.id, "body": m.body, "created_at": _iso(m.created_at),
                     "attachments": [f"files/{a.id}-{a.filename}" for a in files if a.message_id == m.id]}
                    for m in messages if m.ticket_id == t.id
                ],
            }
            for t in tickets
        ],
        "satisfaction_ratings": [
            {"ticket": number[r.ticket_id], "rating": r.rating, "comment": r.comment, "created_at": _iso(r.created_at)}
            for r in ratings
        ],
        "article_votes": [
            {"article_id": v.article_id, "helpful": v.helpful, "comment": v.comment, "created_at": _iso(v.created_at)}
            for v in votes
        ],
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        for a in files:
            try:
                path = get_store().path_for(a.sha256)
            except InvalidDigest:
                continue
            if path.is_file():
                # safe_filename already removed separators; the id prefix keeps names unique.
                zf.write(path, f"files/{a.id}-{attachments.safe_filename(a.filename)}")
    audit.record(session, audit.DATA_EXPORTED, user.id, target=f"user:{user.id}", ip=ip)
    return buf.getvalue()


# ---------------------------------------------------------------- erasure


def _anonymize(session: Session, user: User, actor_id: Optional[int], ip: str) -> User:
    old_email = user.email
    user.name = ANONYMIZED_NAME
    user.email = f"deleted-{user.id}-{secrets.token_hex(6)}@{ANONYMIZED_DOMAIN}"
    user.password_hash = UNUSABLE_PASSWORD
    user.is_active = False
    user.is_org_admin = False
    user.available_for_assignment = False
    user.anonymized_at = utcnow()
    accounts.revoke_all_sessions(session, user.id)
    # CC rows and throttling records hold the address itself; e-mailed ticket links name it too,
    # and stop working because no account or CC matches it any more.
    session.exec(delete(TicketCC).where(TicketCC.email == old_email))
    ticket_moves.forget_address(session, old_email)
    session.exec(delete(LoginAttempt).where(LoginAttempt.email == old_email))
    session.exec(update(AuditEvent).where(AuditEvent.target == old_email).values(target=f"user:{user.id}"))
    audit.record(session, audit.USER_ANONYMIZED, actor_id, target=f"user:{user.id}", ip=ip)
    session.flush()
    return user


def request_deletion(session: Session, actor: Optional[User], *, confirm_email: str, password: str, ip: str = "") -> User:
    """The person erases their own account. They retype their e-mail and password."""
    user = session.get(User, require_user(actor).id)
    if user.is_staff:
        # Staff accounts are removed by an admin, so a team never loses its last admin by accident.
        raise PermissionDenied("privacy.staff_self_delete")
    errors = {}
    if accounts.normalize_email(confirm_email or "") != user.email:
        errors["confirm_email"] = "privacy.confirm_mismatch"
    if not accounts.verify_password(password or "", user.password_hash):
        errors["password"] = "errors.bad_current_password"
    if errors:
        raise ValidationError(errors)
    audit.record(session, audit.DELETION_REQUESTED, user.id, target=f"user:{user.id}", ip=ip)
    return _anonymize(session, user, user.id, ip)


def anonymize_user(session: Session, actor: Optional[User], user_id: int, *, ip: str = "") -> User:
    admin = require_admin(actor)
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise ServiceError("errors.not_found")
    if user.id == admin.id:
        raise ServiceError("errors.cannot_demote_self")
    return _anonymize(session, user, admin.id, ip)


# ---------------------------------------------------------------- retention


def retention_days(session: Session) -> int:
    """Days after closing that a ticket's attachments are kept; 0 = forever (the default)."""
    row = session.get(Setting, RETENTION_KEY)
    try:
        return max(0, int(row.value)) if row and row.value.strip() else 0
    except ValueError:
        return 0


def set_retention_days(session: Session, actor: Optional[User], days: object) -> int:
    return store_retention_days(session, require_admin(actor).id, days)


def store_retention_days(session: Session, actor_id: Optional[int], days: object) -> int:
    """Validate and save; audited under `actor_id` (None: the operator's command line)."""
    try:
        value = int(str(days).strip())
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_RETENTION_DAYS:
        raise ValidationError({"retention_days": "privacy.retention_invalid"})
    row = session.get(Setting, RETENTION_KEY) or Setting(key=RETENTION_KEY)
    row.value = str(value)
    session.add(row)
    audit.record(session, "settings.retention", actor_id, target=RETENTION_KEY, detail=str(value))
    return value


def purge_expired_attachments(session: Session, now: Optional[datetime] = None) -> int:
    """Delete attachments (rows and unused bytes) of tickets closed longer than the retention."""
    days = retention_days(session)
    if days <= 0:
        return 0
    cutoff = (now or utcnow()) - timedelta(days=days)
    ticket_ids = select(Ticket.id).where(Ticket.status == TicketStatus.CLOSED.value, Ticket.closed_at < cutoff)
    rows = session.exec(select(Attachment).where(Attachment.ticket_id.in_(ticket_ids))).all()
    digests = {a.sha256 for a in rows}
    for a in rows:
        session.delete(a)
    session.flush()
    for digest in digests:
        attachments.delete_blob_if_unused(session, digest)
    if rows:
        audit.record(session, audit.ATTACHMENTS_PURGED, None, target=RETENTION_KEY, detail=str(len(rows)))
    return len(rows)


def run_retention_job() -> int:
    """For helpdesk/jobs.py: jobs.register("attachment_retention", 3600, privacy.run_retention_job)."""
    from helpdesk.infra.db import session_scope

    with session_scope() as s:
        return purge_expired_attachments(s)
