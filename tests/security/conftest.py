"""A two-organization world for attack tests: victims own tickets with internal notes and files.

Attackers: an anonymous browser, a customer of another organization (`outsider`) and a colleague
in the victim's organization who is not its admin (`colleague`). Victim data carries marker
strings (VICTIM_SECRETS) that must never reach an attacker's state.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from helpdesk.domain.accounts import Role
from helpdesk.domain.catalog import Service
from helpdesk.domain.tickets import Attachment, Message
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, attachments, seed, tickets
from tests.state.conftest import root, sign_in, state_of  # noqa: F401 - shared fixtures/helpers

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40

# Strings that only the victims' data contains; an attacker never types them.
VICTIM_SECRETS = (
    "Fuga de datos SECRETA",  # victim ticket subject
    "Cuerpo confidencial 7731",  # victim message body
    "NOTA-INTERNA-9942",  # agent's internal note
    "nomina-secreta.txt",  # victim attachment name
    "jefa@acme.test",  # victim e-mail
    "Jefa Acme",  # victim name
    "otra@acme.test",
    "Asunto privado de Otra",
)
PASSWORD = "password-123"


@pytest.fixture
def world(db):
    out: dict = {}
    specs = {
        "victim": dict(email="jefa@acme.test", name="Jefa Acme", org_name="Acme", org_admin=True),
        "victim2": dict(email="otra@acme.test", name="Otra Persona", org_name="Acme"),
        "colleague": dict(email="colega@acme.test", name="Colega", org_name="Acme"),
        "outsider": dict(email="fuera@beta.test", name="Forastero", org_name="Beta"),
        "agent": dict(email="agente@x.test", name="Agente", role=Role.AGENT),
        "admin": dict(email="admin@x.test", name="Admin", role=Role.ADMIN),
    }
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony"))
        s.flush()
        service = s.exec(select(Service.id)).first()
        for key, spec in specs.items():
            user = accounts.create_user(s, password=PASSWORD, **spec)
            out[key] = {"user": user, "token": accounts.start_session(s, user), "id": user.id}
        u = {k: v["user"] for k, v in out.items()}

        def draft(subject: str):
            return tickets.TicketDraft(subject=subject, description="Cuerpo confidencial 7731 descripción",
                                       category="anomalia", service_id=service)

        t = tickets.create_ticket(s, u["victim"], draft("Fuga de datos SECRETA"))
        tickets.add_message(s, u["victim"], t.number, "Cuerpo confidencial 7731",
                            files=[attachments.validate_upload("nomina-secreta.txt", b"IBAN ES00\n"),
                                   attachments.validate_upload("foto.png", PNG)])
        tickets.add_message(s, u["agent"], t.number, "NOTA-INTERNA-9942 moroso", internal=True)
        tickets.add_message(s, u["agent"], t.number, "Respuesta Cuerpo confidencial 7731")
        t2 = tickets.create_ticket(s, u["victim2"], draft("Asunto privado de Otra"))
        tickets.change_status(s, u["agent"], t2.number, "solved")
        # The attacker's own ticket, so "owner" handlers have something legitimate to act on.
        own = tickets.create_ticket(s, u["outsider"], tickets.TicketDraft(
            subject="Mi propio ticket", description="Texto del forastero", category="consulta", service_id=service))
        out["tickets"] = {"victim": t.number, "victim2": t2.number, "outsider": own.number}
        out["attachment_ids"] = [a.id for a in s.exec(select(Attachment)).all()]
        out["message_ids"] = [m.id for m in s.exec(select(Message)).all()]
    return out
