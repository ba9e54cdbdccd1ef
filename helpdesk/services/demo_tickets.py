"""A dozen realistic demo tickets so the agents' queue, dashboard and customer pages are not empty.

Call after seed.seed_demo (it needs the demo people and services). Idempotent: does nothing
once any ticket exists. Goes through the ticket service, so SLA dates, events and mails are real.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.catalog import RequestType, Service
from helpdesk.domain.tickets import SatisfactionRating, Ticket
from helpdesk.services import tickets

# (requester, service, category, subject, description, hours ago, priority, steps)
# steps: ("reply"|"note"|"customer", text) or ("status", value) or ("assign", None)
DEMO = [
    ("cliente@demo.test", "Telefonía IP", "anomalia", "No puedo hacer llamadas salientes",
     "Desde esta mañana ninguna extensión puede llamar al exterior. Las entrantes sí funcionan.", 3, "high",
     [("assign", None), ("note", "Revisar troncal SIP del cliente; parece un problema de registro.")]),
    ("admin.org@demo.test", "Centralita virtual", "peticion", "Ampliar a 10 canales simultáneos",
     "Necesitamos pasar de 6 a 10 canales para la campaña de diciembre. ¿Qué coste tiene?", 26, "medium",
     [("reply", "Hola Marta, te preparamos el presupuesto hoy mismo."), ("status", "pending")]),
    ("empleado@demo.test", "Fibra e Internet", "anomalia", "Cortes intermitentes de la fibra",
     "Cada tarde sobre las 17:00 perdemos la conexión durante unos minutos. El router parpadea en rojo.", 50, "urgent",
     [("assign", None), ("reply", "Hola Jorge, ¿puedes enviarnos una foto de las luces del router?"),
      ("customer", "Adjunto la foto, la luz LOS está en rojo."), ("note", "Posible avería en la acometida; abrir parte con el operador.")]),
    ("cliente@demo.test", "Facturación", "consulta", "Duda sobre el IVA de la última factura",
     "En la factura de octubre aparece un importe de IVA que no me cuadra con la base imponible.", 72, "low",
     [("reply", "Hola Lucía, el importe incluye el prorrateo del cambio de tarifa. Te lo detallo en la factura rectificativa."),
      ("status", "solved")]),
    ("admin.org@demo.test", "Alojamiento web y correo", "anomalia", "Los correos van a spam",
     "Los correos que enviamos desde info@ llegan a la carpeta de spam de nuestros clientes.", 8, "high",
     [("note", "Falta el registro DKIM en su dominio.")]),
    ("empleado@demo.test", "Telefonía IP", "consulta", "Configurar el buzón de voz",
     "¿Cómo cambio el mensaje de bienvenida del buzón de voz de mi extensión?", 120, None,
     [("reply", "Marca *98 desde tu extensión y sigue las instrucciones."), ("status", "solved"), ("status", "closed")]),
    ("cliente@demo.test", "Facturación", "peticion", "Cambio de cuenta bancaria para los recibos",
     "Quiero domiciliar los recibos en una cuenta nueva a partir del mes que viene.", 30, "medium",
     [("reply", "Necesitamos el certificado de titularidad de la nueva cuenta. ¿Nos lo puedes enviar?"), ("status", "pending")]),
    ("admin.org@demo.test", "Fibra e Internet", "peticion", "Portabilidad de dos números fijos",
     "Queremos traer dos números fijos desde otro operador. Os paso los números por aquí.", 1, None, []),
    ("empleado@demo.test", "Centralita virtual", "anomalia", "La música en espera no suena",
     "Cuando dejamos una llamada en espera el cliente solo oye silencio.", 5, "medium",
     [("assign", None)]),
    ("cliente@demo.test", "Alojamiento web y correo", "consulta", "¿Cuánto espacio tiene mi buzón?",
     "Me ha llegado un aviso de buzón casi lleno y no sé cuál es el límite.", 200, "low",
     [("reply", "Tu buzón tiene 10 GB; puedes ampliarlo desde el área de cliente."), ("status", "solved")]),
    ("admin.org@demo.test", "Telefonía IP", "anomalia", "Audio en un solo sentido",
     "En algunas llamadas no nos oyen, aunque nosotros sí oímos al otro lado.", 0.5, "urgent", []),
    ("empleado@demo.test", "Facturación", "consulta", "No me llegan las facturas por correo",
     "Este mes no he recibido la factura en mi correo. ¿Podéis reenviarla?", 12, "low",
     [("reply", "Te la hemos reenviado. Revisa también la carpeta de spam.")]),
]


def seed_demo_tickets(session: Session) -> int:
    if session.exec(select(Ticket.id).limit(1)).first() is not None:
        return 0
    people = {u.email: u for u in session.exec(select(User)).all()}
    agent = people.get("agente@demo.test")
    services = {s.name: s.id for s in session.exec(select(Service)).all()}
    request_type = session.exec(select(RequestType.id).order_by(RequestType.position)).first()
    if agent is None or not services:
        return 0
    now = utcnow()
    made = 0
    for email, service, category, subject, body, hours_ago, priority, steps in DEMO:
        requester = people.get(email)
        if requester is None or service not in services:
            continue
        at = now - timedelta(hours=hours_ago)
        draft = tickets.TicketDraft(
            subject=subject, description=body, category=category, service_id=services[service],
            request_type_id=request_type if category == "peticion" else None,
        )
        ticket = tickets.create_ticket(session, requester, draft, now=at)
        if priority:
            tickets.set_priority(session, agent, ticket.number, priority, now=at)
        for i, (kind, value) in enumerate(steps, start=1):
            step_at = min(now, at + timedelta(minutes=20 * i))
            if kind == "assign":
                tickets.assign(session, agent, ticket.number, agent.id, now=step_at)
            elif kind == "status":
                tickets.change_status(session, agent, ticket.number, value, now=step_at)
            else:
                author = requester if kind == "customer" else agent
                tickets.add_message(session, author, ticket.number, value, internal=kind == "note", now=step_at)
        if ticket.status == "solved" and made % 2 == 1:
            session.add(SatisfactionRating(ticket_id=ticket.id, rating="good", comment="Rápidos y amables."))
        made += 1
    session.flush()
    return made
