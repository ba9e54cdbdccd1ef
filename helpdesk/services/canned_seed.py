"""Demo canned responses in Spanish and English, so a new agent finds useful ones on day one.

Placeholders (see canned.PLACEHOLDERS): {customer_name}, {ticket_id} (already written «#1019»),
{agent_name}, {subject}. Idempotent: a response is added once per (title, locale).
"""

from __future__ import annotations

from sqlmodel import Session, select

from helpdesk.domain.agent import CannedResponse

DEMO_CANNED: tuple[tuple[str, str, str], ...] = (
    ("es", "Bienvenida: lo estamos revisando",
     "Hola {customer_name}:\n\nGracias por escribirnos. Ya estamos revisando tu consulta {ticket_id} («{subject}») "
     "y te responderemos en cuanto tengamos novedades.\n\nUn saludo,\n{agent_name}"),
    ("es", "Pedir más datos",
     "Hola {customer_name}:\n\nPara avanzar con {ticket_id} necesitamos algo más de información: ¿desde cuándo ocurre, "
     "en qué equipo o línea y qué mensaje aparece? Si puedes, adjunta una captura.\n\nGracias,\n{agent_name}"),
    ("es", "Resuelto: confirmar",
     "Hola {customer_name}:\n\nHemos aplicado la solución para {ticket_id}. Si todo funciona, no tienes que hacer nada; "
     "si no, responde a este mensaje y lo reabrimos.\n\nUn saludo,\n{agent_name}"),
    ("en", "Welcome: we are on it",
     "Hello {customer_name},\n\nThank you for writing to us. We are looking into {ticket_id} (\"{subject}\") and will "
     "get back to you as soon as we know more.\n\nBest regards,\n{agent_name}"),
    ("en", "Ask for details",
     "Hello {customer_name},\n\nTo move {ticket_id} forward we need a little more information: since when does it "
     "happen, on which device or line, and what message do you see? A screenshot helps.\n\nThank you,\n{agent_name}"),
    ("en", "Solved: please confirm",
     "Hello {customer_name},\n\nWe have applied the fix for {ticket_id}. If everything works you need not do anything; "
     "if not, reply to this message and we will reopen it.\n\nBest regards,\n{agent_name}"),
)


def seed_canned_responses(session: Session) -> int:
    added = 0
    for locale, title, body in DEMO_CANNED:
        exists = session.exec(select(CannedResponse.id).where(CannedResponse.title == title, CannedResponse.locale == locale)).first()
        if exists is None:
            session.add(CannedResponse(title=title, body=body, locale=locale))
            added += 1
    session.flush()
    return added
