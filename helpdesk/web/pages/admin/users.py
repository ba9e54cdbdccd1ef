"""/admin → Users: a paged, searchable list with counts; role, availability, deactivation and
invitations. Its own State (services/users_admin decides and re-checks the admin role)."""

from __future__ import annotations

import reflex as rx
from pydantic import BaseModel

from helpdesk.infra.db import session_scope
from helpdesk.services import catalog_admin, policy, users_admin
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.services.policy import Action
from helpdesk.web.access import rule
from helpdesk.web.components.ui import T, field_error, tid
from helpdesk.web.pages.guard import GuardedState

ROLES = ("customer", "agent", "admin")


class AdminUserRow(BaseModel):
    id: int
    name: str
    email: str
    role: str
    active: bool
    available: bool
    me: bool


class UsersAdminState(GuardedState):
    rows: list[AdminUserRow] = []
    query: str = ""
    page: int = 1
    pages: int = 1
    total: int = 0
    counts: dict[str, int] = {}
    invite_errors: dict[str, str] = {}
    invite_role: str = "agent"

    def _may_enter(self, user) -> bool:
        return policy.user_may(user, Action.MANAGE_USERS)

    def _reload(self, admin) -> None:
        with session_scope() as s:
            result = users_admin.list_page(s, admin, query=self.query, page=self.page)
        self.page, self.pages, self.total, self.counts = result.page, result.pages, result.total, result.counts
        self.rows = [
            AdminUserRow(id=u.id, name=u.name, email=u.email, role=u.role, active=u.is_active,
                         available=u.available_for_assignment, me=u.id == admin.id)
            for u in result.users
        ]

    @rule("admin")
    @rx.event
    def load_users(self):
        admin, redirect = self._enter()
        if admin is None:
            return redirect
        self._reload(admin)

    @rule("admin")
    @rx.event
    def search(self, text: str):
        admin = self._allowed_actor()
        if admin is None:
            return
        self.query, self.page = str(text or "")[: users_admin.MAX_QUERY], 1
        self._reload(admin)

    @rule("admin")
    @rx.event
    def go_to_page(self, page: int):
        admin = self._allowed_actor()
        if admin is None:
            return
        try:
            self.page = max(1, int(page))
        except (TypeError, ValueError):
            return
        self._reload(admin)

    def _do(self, fn, *args, done: str = "users.saved", **params):
        admin = self._allowed_actor()
        if admin is None:
            return None
        try:
            with session_scope() as s:
                fn(s, admin, *args)
        except ValidationError as err:
            self._reload(admin)
            return rx.toast.error(self._tr(next(iter(err.errors.values()))))
        except ServiceError as err:
            self._reload(admin)
            return rx.toast.error(self._error_text(err))
        self._reload(admin)
        return rx.toast.success(self._tr(done, **params))

    @rule("admin", why="services/users_admin re-checks the role and the user id")
    @rx.event
    def set_role(self, user_id: int, role: str):
        return self._do(users_admin.set_role, user_id, str(role), done="users.role_saved")

    @rule("admin", why="services/users_admin re-checks the role and the user id")
    @rx.event
    def set_active(self, user_id: int, active: bool):
        return self._do(users_admin.set_active, user_id, bool(active), done="users.reactivated" if active else "users.deactivated")

    @rule("admin", why="services/users_admin re-checks the role and the user id")
    @rx.event
    def set_available(self, user_id: int, available: bool):
        try:
            uid = int(user_id)
        except (TypeError, ValueError):
            return
        return self._do(catalog_admin.set_available, uid, bool(available))

    @rule("admin")
    @rx.event
    def choose_invite_role(self, role: str):
        self.invite_role = role if role in ("agent", "admin") else "agent"

    @rule("admin", why="services/users_admin re-checks the role")
    @rx.event
    def invite(self, form: dict):
        admin = self._allowed_actor()
        if admin is None:
            return
        f = form if isinstance(form, dict) else {}
        self.invite_errors = {}
        email = str(f.get("email", ""))[:320]
        try:
            with session_scope() as s:
                user = users_admin.invite(s, admin, name=str(f.get("name", ""))[:200], email=email,
                                          role=self.invite_role, locale=self.locale)
                email = user.email
        except ValidationError as err:
            self.invite_errors = {k: self._tr(v) for k, v in err.errors.items()}
            return
        except ServiceError as err:
            self.invite_errors = {"email": self._error_text(err)}
            return
        self.query, self.page = "", 1
        self._reload(admin)
        return [rx.toast.success(self._tr("users.invited", email=email)), rx.set_value("invite-name", ""), rx.set_value("invite-email", "")]


# ---------------------------------------------------------------- components

S = UsersAdminState


def _count(key: str) -> rx.Component:
    return rx.box(
        rx.text(T[f"users.count.{key}"], size="1", color_scheme="gray"),
        rx.text(S.counts.get(key, 0), size="5", weight="bold"),
        class_name="hd-card",
        padding="0.5rem 0.9rem",
        min_width="7rem",
        custom_attrs=tid(f"admin-user-count-{key}"),
    )


def _row(u: AdminUserRow) -> rx.Component:
    """One account: a wrapping row (a table would scroll sideways on a phone)."""
    return rx.hstack(
        rx.vstack(
            rx.text(u.name, weight="medium", size="2", custom_attrs=tid("admin-user-name")),
            rx.text(u.email, size="1", color_scheme="gray", custom_attrs=tid("admin-user-email"), word_break="break-all"),
            spacing="0",
            flex="1 1 14rem",
            min_width="0",
        ),
        rx.hstack(
            rx.select.root(
                rx.select.trigger(aria_label=T["users.col.role"].to(str) + " · " + u.name, custom_attrs=tid("admin-user-role"), width="9.5rem"),
                rx.select.content(*[rx.select.item(T[f"role.{r}"], value=r) for r in ROLES]),
                value=u.role,
                on_change=lambda role: S.set_role(u.id, role),
                disabled=u.me,
                size="1",
            ),
            rx.badge(rx.cond(u.active, T["users.active"], T["users.inactive"]), color_scheme=rx.cond(u.active, "green", "gray"),
                     variant="soft", high_contrast=True, custom_attrs=tid("admin-user-state")),
            rx.cond(
                u.role != "customer",
                rx.el.label(
                    rx.switch(checked=u.available, on_change=lambda v: S.set_available(u.id, v), size="1"),
                    rx.text(T["users.col.available"], size="1"),
                    display="flex",
                    align_items="center",
                    gap="0.35rem",
                ),
            ),
            rx.cond(
                u.me,
                rx.fragment(),
                rx.button(
                    rx.cond(u.active, T["users.deactivate"], T["users.reactivate"]),
                    on_click=S.set_active(u.id, ~u.active),
                    variant="soft",
                    color_scheme=rx.cond(u.active, "red", "green"),
                    size="1",
                    custom_attrs=tid("admin-user-toggle-active"),
                ),
            ),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        width="100%",
        align="center",
        wrap="wrap",
        spacing="3",
        padding="0.6rem 0.25rem",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        role="listitem",
        custom_attrs=tid("admin-user-row"),
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.text(rx.cond(S.total == 1, T["users.total_one"], T["users.total_many"].replace("{n}", S.total.to_string())),
                size="2", color_scheme="gray", custom_attrs=tid("admin-user-total")),
        rx.spacer(),
        rx.button(rx.icon("chevron-left", size=16), T["users.prev"], on_click=S.go_to_page(S.page - 1), disabled=S.page <= 1,
                  variant="soft", size="2", custom_attrs=tid("admin-user-prev")),
        rx.text(T["users.page"].replace("{page}", S.page.to_string()).replace("{pages}", S.pages.to_string()), size="2"),
        rx.button(T["users.next"], rx.icon("chevron-right", size=16), on_click=S.go_to_page(S.page + 1), disabled=S.page >= S.pages,
                  variant="soft", size="2", custom_attrs=tid("admin-user-next")),
        width="100%",
        align="center",
        spacing="2",
        wrap="wrap",
    )


def _invite() -> rx.Component:
    def field(name: str, label_key: str, kind: str) -> rx.Component:
        return rx.vstack(
            rx.el.label(T[label_key], html_for=f"invite-{name}", class_name="rt-Text rt-r-size-2 rt-r-weight-medium"),
            rx.input(id=f"invite-{name}", name=name, type=kind, required=True, width="100%",
                     aria_describedby=f"invite_{name}-error", custom_attrs=tid(f"invite-{name}")),
            field_error(f"invite_{name}", S.invite_errors.get(name, "")),
            spacing="1",
            flex="1 1 14rem",
        )

    return rx.box(
        rx.form(
            rx.vstack(
                rx.heading(T["users.invite_title"], size="4", as_="h2"),
                rx.text(T["users.invite_hint"], size="2", color_scheme="gray"),
                rx.hstack(
                    field("name", "users.invite_name", "text"),
                    field("email", "users.invite_email", "email"),
                    rx.vstack(
                        rx.text(T["users.invite_role"], size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(aria_label=T["users.invite_role"], custom_attrs=tid("invite-role")),
                            rx.select.content(rx.select.item(T["role.agent"], value="agent"), rx.select.item(T["role.admin"], value="admin")),
                            value=S.invite_role,
                            on_change=S.choose_invite_role,
                        ),
                        spacing="1",
                    ),
                    width="100%",
                    wrap="wrap",
                    spacing="3",
                    align="start",
                ),
                rx.button(rx.icon("send", size=14), T["users.invite_submit"], type="submit", custom_attrs=tid("invite-submit")),
                spacing="3",
                width="100%",
            ),
            on_submit=S.invite,
            width="100%",
        ),
        class_name="hd-card",
        padding="1.1rem",
        width="100%",
    )


def users_section() -> rx.Component:
    return rx.vstack(
        rx.hstack(_count("customer"), _count("agent"), _count("admin"), _count("inactive"), spacing="2", wrap="wrap", width="100%"),
        rx.box(
            rx.vstack(
                rx.heading(T["users.title"], size="4", as_="h2"),
                rx.text(T["users.hint"], size="2", color_scheme="gray"),
                rx.input(
                    rx.input.slot(rx.icon("search", size=16)),
                    placeholder=T["users.search"],
                    default_value=S.query,
                    on_change=S.search.debounce(300),
                    type="search",
                    width="100%",
                    aria_label=T["users.search"],
                    custom_attrs=tid("admin-user-search"),
                ),
                rx.box(rx.foreach(S.rows, _row), role="list", aria_label=T["users.title"], width="100%"),
                rx.cond(S.rows.length() == 0, rx.text(T["users.empty"], color_scheme="gray", size="2", custom_attrs=tid("admin-user-empty"))),
                _pager(),
                spacing="3",
                width="100%",
            ),
            class_name="hd-card",
            padding="1.1rem",
            width="100%",
        ),
        _invite(),
        spacing="3",
        width="100%",
        on_mount=S.load_users,
    )
