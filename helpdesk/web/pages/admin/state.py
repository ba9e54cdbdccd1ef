"""Admin page: users and roles, organizations, services and request types, SLA policy with
opening hours and holidays, canned responses. Every handler re-checks the admin role, and the
services check it again."""

from __future__ import annotations

from datetime import date

import reflex as rx
from pydantic import BaseModel

from helpdesk import i18n
from helpdesk.domain.accounts import Role, User
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, canned, catalog_admin, policy, queue, sla, sla_view
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.services.policy import Action
from helpdesk.web import relocalize, routes
from helpdesk.web.access import rule
from helpdesk.web.pages.guard import GuardedState

TABS = ("users", "organizations", "catalog", "sla", "canned", "integrations", "privacy")


class UserRow(BaseModel):
    id: int
    name: str
    email: str
    role: str
    available: bool


class NamedRow(BaseModel):
    id: int
    name: str
    detail: str
    active: bool


class TargetRow(BaseModel):
    priority: str
    first_response_hours: str
    resolution_hours: str
    business_hours_only: bool


class DayRow(BaseModel):
    weekday: int
    opens: str
    closes: str
    open: bool


class HolidayRow(BaseModel):
    day: str  # ISO, the value the remove handler takes
    name: str
    label: str = ""  # the day as people read it, in the reader's language


class CannedRow(BaseModel):
    id: int
    title: str
    body: str
    locale: str


def _number(raw: object) -> float | None:
    try:
        return float(str(raw).replace(",", ".").strip())
    except ValueError:
        return None


class AdminState(GuardedState):
    tab: str = "users"
    users: list[UserRow] = []
    user_query: str = ""
    organizations: list[NamedRow] = []
    services: list[NamedRow] = []
    request_types: list[NamedRow] = []
    targets: list[TargetRow] = []
    days: list[DayRow] = []
    holidays: list[HolidayRow] = []
    timezone: str = ""
    round_robin: bool = False
    canned: list[CannedRow] = []
    errors: dict[str, str] = {}

    def _may_enter(self, user: User) -> bool:
        return policy.user_may(user, Action.ADMIN_AREA)

    # ------------------------------------------------------------ loading

    def _load_users(self, actor: User) -> None:
        with session_scope() as s:
            rows = accounts.list_users(s, actor, query=self.user_query, limit=50)
            self.users = [UserRow(id=u.id, name=u.name, email=u.email, role=u.role, available=u.available_for_assignment) for u in rows]

    def _load_catalog(self, actor: User) -> None:
        with session_scope() as s:
            self.organizations = [
                NamedRow(id=o.id, name=o.name, detail=str(n), active=True) for o, n in catalog_admin.list_organizations(s, actor)
            ]
            self.services = [NamedRow(id=x.id, name=x.name, detail=x.name_en, active=x.is_active) for x in catalog_admin.list_services(s, actor)]
            self.request_types = [
                NamedRow(id=x.id, name=x.name, detail=x.name_en, active=x.is_active) for x in catalog_admin.list_request_types(s, actor)
            ]

    def _load_sla(self, actor: User) -> None:
        with session_scope() as s:
            targets = sla.get_targets(s)
            self.targets = [
                TargetRow(
                    priority=p, first_response_hours=f"{targets[p].first_response_hours:g}",
                    resolution_hours=f"{targets[p].resolution_hours:g}", business_hours_only=targets[p].business_hours_only,
                )
                for p in sla.PRIORITIES
            ]
            calendar = sla_view.calendar_settings(s, actor)
            stored = calendar.days
            self.days = [
                DayRow(weekday=w, opens=stored[w].opens if w in stored else "08:30", closes=stored[w].closes if w in stored else "18:00", open=w in stored)
                for w in range(7)
            ]
            self.holidays = [HolidayRow(day=h.day.isoformat(), name=h.name, label=i18n.long_date(h.day, self.locale)) for h in calendar.holidays]
            self.timezone = calendar.timezone
            self.round_robin = queue.round_robin_enabled(s)

    def _load_canned(self, actor: User) -> None:
        with session_scope() as s:
            self.canned = [CannedRow(id=c.id, title=c.title, body=c.body, locale=c.locale) for c in canned.list_responses(s, actor)]

    def _load_all(self, actor: User) -> None:
        self._load_users(actor)
        self._load_catalog(actor)
        self._load_sla(actor)
        self._load_canned(actor)

    @rule("admin")
    @rx.event
    def load(self):
        actor, redirect = self._enter()
        if actor is not None:
            self._load_all(actor)
        return redirect

    @rule("admin")
    @rx.event
    def relocalize(self):
        """The language switch: holiday dates are written on the server («8 de diciembre de 2026»)."""
        if self._allowed_actor() is not None:
            self.holidays = [HolidayRow(day=h.day, name=h.name, label=i18n.long_date(date.fromisoformat(h.day), self.locale))
                             for h in self.holidays]

    @rule("admin")
    @rx.event
    def set_tab(self, tab: str):
        if tab in TABS and self._allowed_actor() is not None:
            self.tab = tab

    def _run(self, section: str, fn, *args, done_key: str = "admin.saved"):
        """Call an admin service; field errors go next to the fields as `<section>-<field>`."""
        actor = self._allowed_actor()
        if actor is None:
            return None
        self.errors = {k: v for k, v in self.errors.items() if not k.startswith(section + "-")}
        try:
            with session_scope() as s:
                fn(s, actor, *args)
        except ValidationError as err:
            self.errors = {**self.errors, **{f"{section}-{f}": self._tr(k) for f, k in err.errors.items()}}
            return rx.toast.error(self._tr(err.code))
        except ServiceError as err:
            return rx.toast.error(self._error_text(err))
        except (TypeError, ValueError):
            return rx.toast.error(self._tr("errors.form_invalid"))
        self._load_all(actor)
        return rx.toast.success(self._tr(done_key))

    # ------------------------------------------------------------ users

    @rule("admin")
    @rx.event
    def search_users(self, query: str):
        actor = self._allowed_actor()
        if actor is None:
            return
        self.user_query = str(query)[:100]
        self._load_users(actor)

    @rule("admin")
    @rx.event
    def change_role(self, user_id: int, role: str):
        try:
            target_role = Role(role)
        except ValueError:
            return rx.toast.error(self._tr("errors.form_invalid"))
        return self._run("users", lambda s, a: accounts.set_role(s, a, int(user_id), target_role), done_key="admin.role_saved")

    @rule("admin")
    @rx.event
    def set_available(self, user_id: int, available: bool):
        return self._run("users", lambda s, a: catalog_admin.set_available(s, a, int(user_id), bool(available)))

    @rule("admin")
    @rx.event
    def set_round_robin(self, enabled: bool):
        return self._run("users", lambda s, a: queue.set_round_robin(s, a, bool(enabled)))

    # ------------------------------------------------------------ organizations, services, request types

    @rule("admin")
    @rx.event
    def create_organization(self, form: dict):
        form = form if isinstance(form, dict) else {}
        return self._run("org", lambda s, a: catalog_admin.create_organization(s, a, str(form.get("name", ""))[:300]))

    @rule("admin")
    @rx.event
    def create_service(self, form: dict):
        form = form if isinstance(form, dict) else {}
        return self._run(
            "service", lambda s, a: catalog_admin.create_service(s, a, str(form.get("name", ""))[:300], str(form.get("name_en", ""))[:300])
        )

    @rule("admin")
    @rx.event
    def toggle_service(self, service_id: int, active: bool):
        return self._run("service", lambda s, a: catalog_admin.set_service_active(s, a, int(service_id), bool(active)))

    @rule("admin")
    @rx.event
    def create_request_type(self, form: dict):
        form = form if isinstance(form, dict) else {}
        return self._run(
            "rtype", lambda s, a: catalog_admin.create_request_type(s, a, str(form.get("name", ""))[:300], str(form.get("name_en", ""))[:300])
        )

    @rule("admin")
    @rx.event
    def toggle_request_type(self, type_id: int, active: bool):
        return self._run("rtype", lambda s, a: catalog_admin.set_request_type_active(s, a, int(type_id), bool(active)))

    # ------------------------------------------------------------ SLA

    @rule("admin")
    @rx.event
    def save_target(self, form: dict):
        form = form if isinstance(form, dict) else {}
        priority = str(form.get("priority", ""))
        return self._run(
            f"target_{priority}" if priority in sla.PRIORITIES else "target",
            lambda s, a: sla.update_target(
                s, a, priority, _number(form.get("first_response_hours", "")), _number(form.get("resolution_hours", "")),
                str(form.get("business_hours_only", "")).lower() in ("on", "true", "1"),
            ),
        )

    @rule("admin")
    @rx.event
    def save_day(self, form: dict):
        form = form if isinstance(form, dict) else {}
        raw = str(form.get("weekday", ""))
        weekday = int(raw) if raw.isdigit() else -1
        is_open = str(form.get("open", "")).lower() in ("on", "true", "1")
        opens = str(form.get("opens", ""))[:5] if is_open else None
        closes = str(form.get("closes", ""))[:5] if is_open else None
        return self._run(f"day_{weekday}", lambda s, a: sla.set_business_day(s, a, weekday, opens, closes))

    @rule("admin")
    @rx.event
    def add_holiday(self, form: dict):
        form = form if isinstance(form, dict) else {}
        try:
            day = date.fromisoformat(str(form.get("day", "")))
        except ValueError:
            day = None
        return self._run("holiday", lambda s, a: sla.add_holiday(s, a, day, str(form.get("name", ""))[:200]))

    @rule("admin")
    @rx.event
    def remove_holiday(self, day: str):
        try:
            parsed = date.fromisoformat(str(day))
        except ValueError:
            return
        return self._run("holiday", lambda s, a: sla.remove_holiday(s, a, parsed))

    @rule("admin")
    @rx.event
    def save_timezone(self, form: dict):
        form = form if isinstance(form, dict) else {}
        return self._run("tz", lambda s, a: sla.set_timezone(s, a, str(form.get("timezone", ""))[:64]))

    # ------------------------------------------------------------ canned responses

    @rule("admin")
    @rx.event
    def create_canned(self, form: dict):
        form = form if isinstance(form, dict) else {}
        return self._run(
            "canned",
            lambda s, a: canned.create(s, a, str(form.get("title", ""))[:300], str(form.get("body", ""))[:6000], str(form.get("locale", "es"))),
        )

    @rule("admin")
    @rx.event
    def delete_canned(self, response_id: int):
        return self._run("canned", lambda s, a: canned.delete(s, a, int(response_id)), done_key="admin.deleted")


# The holidays list makes dates on the server; the Privacidad tab registers its own State too.
relocalize.register(routes.ADMIN, AdminState)
