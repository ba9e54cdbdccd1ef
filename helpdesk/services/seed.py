"""Demo data: idempotent, safe to run on every start of the demo."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from helpdesk.domain.accounts import Role, User
from helpdesk.domain.catalog import RequestType, Service
from helpdesk.services import accounts


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    name: str
    role: Role
    org: str | None = None
    org_admin: bool = False


DEMO_USERS = (
    DemoUser("cliente@demo.test", "cliente-demo-1", "Lucía Fernández", Role.CUSTOMER),
    DemoUser("admin.org@demo.test", "orgadmin-demo-1", "Marta Ruiz", Role.CUSTOMER, "Talleres Ruiz S.L.", True),
    DemoUser("empleado@demo.test", "empleado-demo-1", "Jorge Ruiz", Role.CUSTOMER, "Talleres Ruiz S.L."),
    DemoUser("agente@demo.test", "agente-demo-1", "Carlos Soporte", Role.AGENT),
    DemoUser("admin@demo.test", "admin-demo-1", "Ana Admin", Role.ADMIN),
)

DEMO_SERVICES = (
    ("Telefonía IP", "IP telephony"),
    ("Centralita virtual", "Virtual PBX"),
    ("Fibra e Internet", "Fiber and Internet"),
    ("Alojamiento web y correo", "Web hosting and e-mail"),
    ("Facturación", "Billing"),
)

DEMO_REQUEST_TYPES = (
    ("Cambio de titularidad", "Change of account holder"),
    ("Cambio de cuenta bancaria", "Change of bank account"),
    ("Devolución", "Refund"),
    ("Portabilidad de numeración", "Number portability"),
    ("Ampliar canales", "Add call channels"),
    ("Otros", "Other"),
)


def seed_demo(session: Session) -> dict[str, int]:
    created = {"users": 0, "services": 0, "request_types": 0}
    for du in DEMO_USERS:
        if session.exec(select(User.id).where(User.email == du.email)).first() is None:
            accounts.create_user(
                session, email=du.email, password=du.password, name=du.name, role=du.role,
                org_name=du.org, org_admin=du.org_admin,
            )
            created["users"] += 1
    for pos, (name, name_en) in enumerate(DEMO_SERVICES):
        if session.exec(select(Service.id).where(Service.name == name)).first() is None:
            session.add(Service(name=name, name_en=name_en, position=pos))
            created["services"] += 1
    for pos, (name, name_en) in enumerate(DEMO_REQUEST_TYPES):
        if session.exec(select(RequestType.id).where(RequestType.name == name)).first() is None:
            session.add(RequestType(name=name, name_en=name_en, position=pos))
            created["request_types"] += 1
    session.flush()
    from helpdesk.services import demo_tickets, kb_content

    created["tickets"] = demo_tickets.seed_demo_tickets(session)
    # The help center is empty without articles; the loader is an idempotent upsert by slug.
    created["articles"] = kb_content.load_demo_content(session)
    from helpdesk.services.canned_seed import seed_canned_responses

    created["canned"] = seed_canned_responses(session)
    return created


def is_empty(session: Session) -> bool:
    return session.exec(select(User.id).limit(1)).first() is None


def demo_credentials_text() -> str:
    lines = ["Cuentas de demostración / demo accounts:"]
    for du in DEMO_USERS:
        extra = f" ({du.org}{', admin' if du.org_admin else ''})" if du.org else ""
        lines.append(f"  {du.role.value:<9} {du.email:<24} {du.password}{extra}")
    return "\n".join(lines)


def ensure_configuration(session: Session) -> None:
    """Defaults every installation needs (SLA policy, business hours), demo or not."""
    try:
        from helpdesk.services import sla
    except ImportError:  # the SLA module arrives with the agent workspace
        return
    sla.ensure_defaults(session)
