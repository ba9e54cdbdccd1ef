"""The original .eml of a received mail, for agents only (disputes: "I did send it")."""

from __future__ import annotations

from typing import Optional

from sqlmodel import Session, select

from helpdesk.domain.accounts import User
from helpdesk.domain.inbound import InboundMail
from helpdesk.infra.storage import get_store
from helpdesk.services.authz import require_staff
from helpdesk.services.errors import NotFound


def original_eml(session: Session, actor: Optional[User], inbound_id: int) -> bytes:
    require_staff(actor)
    row = session.get(InboundMail, inbound_id)
    if row is None or not row.eml_sha256 or not get_store().exists(row.eml_sha256):
        raise NotFound()
    return get_store().read(row.eml_sha256)


def originals_for_ticket(session: Session, actor: Optional[User], ticket_id: int) -> list[InboundMail]:
    """The received mails kept on a ticket, oldest first (agents' ticket page)."""
    require_staff(actor)
    return list(session.exec(
        select(InboundMail).where(InboundMail.ticket_id == ticket_id, InboundMail.eml_sha256 != "").order_by(InboundMail.id)
    ).all())


def original_urls(session: Session, actor: Optional[User], ticket_id: int) -> dict[int, str]:
    """Message id -> download address of the mail it came from, for the agents' ticket page."""
    return {row.message_id: f"/api/inbound/{row.id}/original.eml"
            for row in originals_for_ticket(session, actor, ticket_id) if row.message_id}
