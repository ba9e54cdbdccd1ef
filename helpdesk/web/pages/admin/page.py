from __future__ import annotations

import reflex as rx

from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, guarded
from helpdesk.web.pages.admin.state import AdminState, UserRow


def _user_row(u: UserRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(u.name),
        rx.table.cell(u.email),
        rx.table.cell(
            rx.select.root(
                rx.select.trigger(aria_label=T["admin.user_role"]),
                rx.select.content(
                    rx.select.item(T["role.customer"], value="customer"),
                    rx.select.item(T["role.agent"], value="agent"),
                    rx.select.item(T["role.admin"], value="admin"),
                ),
                value=u.role,
                on_change=lambda role: AdminState.change_role(u.id, role),
                size="1",
            )
        ),
    )


def admin_page() -> rx.Component:
    return shell(
        guarded(
            AdminState.access,
            rx.vstack(
                rx.heading(T["admin.title"], size="7", as_="h1"),
                rx.text(T["admin.subtitle"], color_scheme="gray"),
                rx.heading(T["admin.users"], size="5", as_="h2", margin_top="1rem"),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell(T["admin.user_name"]),
                            rx.table.column_header_cell(T["admin.user_email"]),
                            rx.table.column_header_cell(T["admin.user_role"]),
                        )
                    ),
                    rx.table.body(rx.foreach(AdminState.users, _user_row)),
                    width="100%",
                    variant="surface",
                ),
                width="100%",
                spacing="3",
            ),
        )
    )
