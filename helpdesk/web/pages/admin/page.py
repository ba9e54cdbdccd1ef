from __future__ import annotations

import reflex as rx

from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, field_error, guarded, tid
from helpdesk.web.pages.admin.integrations import integrations_section
from helpdesk.web.pages.admin.escalation import escalation_card
from helpdesk.web.pages.admin.fair_use import fair_use_card
from helpdesk.web.pages.admin.privacy import privacy_section
from helpdesk.web.pages.admin.promise_stats import promise_stats_card
from helpdesk.web.pages.admin.promises import holiday_import_card, org_plans_table
from helpdesk.web.pages.admin.state import AdminState, CannedRow, DayRow, HolidayRow, NamedRow, TargetRow
from helpdesk.web.pages.admin.users import users_section
from helpdesk.web.pages.chat.admin_section import chat_admin_section

S = AdminState


def _err(key: str):
    return S.errors.get(key, "")


def _card(*children, **props) -> rx.Component:
    return rx.box(rx.vstack(*children, spacing="3", width="100%"), class_name="hd-card", padding="1.1rem", width="100%", **props)


def _section_title(title, hint=None) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="4", as_="h2"),
        rx.text(hint, size="2", color_scheme="gray") if hint is not None else rx.fragment(),
        spacing="1",
    )


def _table(headers: list, body) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(body),
            width="100%",
            variant="surface",
            size="1",
        ),
        width="100%",
        overflow_x="auto",
    )


# ---------------------------------------------------------------- users


def _users() -> rx.Component:
    return rx.vstack(
        _card(
            rx.hstack(
                rx.text(T["admin.users_hint"], size="2", color_scheme="gray", flex="1 1 16rem"),
                rx.hstack(
                    rx.switch(checked=S.round_robin, on_change=S.set_round_robin, id="round-robin", custom_attrs=tid("admin-round-robin")),
                    rx.el.label(T["admin.round_robin"], html_for="round-robin"),
                    spacing="2",
                    align="center",
                ),
                width="100%",
                wrap="wrap",
                spacing="3",
            ),
        ),
        # The list, roles, deactivation and invitations: their own section and State (users.py).
        users_section(),
        width="100%",
    )


# ---------------------------------------------------------------- organizations and catalog


def _named_row(row: NamedRow, toggle=None) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.name),
        rx.table.cell(row.detail),
        rx.table.cell(
            rx.switch(checked=row.active, on_change=lambda v: toggle(row.id, v), aria_label=T["admin.active"]) if toggle is not None else rx.fragment()
        ),
        align="center",
    )


def _create_form(section: str, on_submit, with_english: bool = True) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.vstack(
                rx.input(name="name", placeholder=T["admin.name"], aria_label=T["admin.name"], width="100%", custom_attrs=tid(f"admin-{section}-name")),
                field_error(f"{section}-name", _err(f"{section}-name")),
                spacing="1",
                flex="1 1 12rem",
            ),
            rx.input(name="name_en", placeholder=T["admin.name_en"], aria_label=T["admin.name_en"], flex="1 1 12rem") if with_english else rx.fragment(),
            rx.button(rx.icon("plus", size=14), T["admin.add"], type="submit", custom_attrs=tid(f"admin-{section}-submit")),
            width="100%",
            wrap="wrap",
            align="start",
            spacing="2",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
        width="100%",
    )


def _organizations() -> rx.Component:
    return _card(
        _section_title(T["admin.organizations"], T["admin.organizations_hint"]),
        _create_form("org", S.create_organization, with_english=False),
        org_plans_table(),
    )


def _catalog() -> rx.Component:
    return rx.vstack(
        _card(
            _section_title(T["admin.services"], T["admin.services_hint"]),
            _create_form("service", S.create_service),
            _table([T["admin.name"], T["admin.name_en"], T["admin.active"]], rx.foreach(S.services, lambda r: _named_row(r, S.toggle_service))),
        ),
        _card(
            _section_title(T["admin.request_types"], T["admin.request_types_hint"]),
            _create_form("rtype", S.create_request_type),
            _table([T["admin.name"], T["admin.name_en"], T["admin.active"]], rx.foreach(S.request_types, lambda r: _named_row(r, S.toggle_request_type))),
        ),
        spacing="4",
        width="100%",
    )


# ---------------------------------------------------------------- SLA


def _target_row(t: TargetRow) -> rx.Component:
    key = "target_" + t.priority
    return rx.form(
        rx.hstack(
            rx.el.input(type="hidden", name="priority", value=t.priority),
            rx.text(T["priority." + t.priority], weight="medium", min_width="6rem"),
            rx.vstack(
                rx.input(name="first_response_hours", default_value=t.first_response_hours, aria_label=T["admin.first_response_hours"], width="7rem", input_mode="decimal"),
                field_error(key + "-first_response_hours", S.errors.get(key + "-first_response_hours", "")),
                spacing="1",
            ),
            rx.vstack(
                rx.input(name="resolution_hours", default_value=t.resolution_hours, aria_label=T["admin.resolution_hours"], width="7rem", input_mode="decimal"),
                field_error(key + "-resolution_hours", S.errors.get(key + "-resolution_hours", "")),
                spacing="1",
            ),
            rx.checkbox(T["admin.business_hours_only"], name="business_hours_only", default_checked=t.business_hours_only),
            rx.button(T["common.save"], type="submit", variant="soft", size="2"),
            spacing="3",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        on_submit=S.save_target,
        reset_on_submit=False,
        width="100%",
        key=t.priority + t.first_response_hours + t.resolution_hours,
        custom_attrs=tid("admin-sla-target"),
    )


def _day_row(d: DayRow) -> rx.Component:
    key = "day_" + d.weekday.to_string()
    return rx.form(
        rx.hstack(
            rx.el.input(type="hidden", name="weekday", value=d.weekday),
            rx.text(T["admin.weekday." + d.weekday.to_string()], weight="medium", min_width="6rem"),
            rx.checkbox(T["admin.open_day"], name="open", default_checked=d.open),
            rx.input(name="opens", default_value=d.opens, type="time", aria_label=T["admin.opens"], width="8rem"),
            rx.input(name="closes", default_value=d.closes, type="time", aria_label=T["admin.closes"], width="8rem"),
            rx.button(T["common.save"], type="submit", variant="soft", size="2"),
            field_error(key + "-opens", S.errors.get(key + "-opens", "")),
            field_error(key + "-closes", S.errors.get(key + "-closes", "")),
            field_error(key + "-weekday", S.errors.get(key + "-weekday", "")),
            spacing="3",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        on_submit=S.save_day,
        reset_on_submit=False,
        width="100%",
        key=key + d.opens + d.closes + d.open.to_string(),
    )


def _holiday_row(h: HolidayRow) -> rx.Component:
    return rx.hstack(
        rx.icon("calendar-x", size=15, color=rx.color("gray", 10)),
        rx.text(h.label, size="2", weight="medium", min_width="14rem", title=h.day, custom_attrs=tid("admin-holiday-day")),
        rx.text(h.name, size="2", flex="1"),
        rx.icon_button(rx.icon("trash-2", size=14), on_click=S.remove_holiday(h.day), variant="ghost", color_scheme="red", aria_label=T["admin.remove"]),
        width="100%",
        align="center",
    )


def _sla() -> rx.Component:
    return rx.vstack(
        _card(
            _section_title(T["admin.sla_targets"], T["admin.sla_targets_hint"]),
            rx.hstack(
                rx.box(min_width="6rem"),
                rx.text(T["admin.first_response_hours"], size="1", color_scheme="gray", width="7rem"),
                rx.text(T["admin.resolution_hours"], size="1", color_scheme="gray", width="7rem"),
                spacing="3",
                display=["none", "flex"],
            ),
            rx.vstack(rx.foreach(S.targets, _target_row), spacing="3", width="100%"),
        ),
        escalation_card(),
        fair_use_card(),
        promise_stats_card(),
        _card(
            _section_title(T["admin.business_hours"], T["admin.business_hours_hint"]),
            rx.vstack(rx.foreach(S.days, _day_row), spacing="2", width="100%"),
            rx.form(
                rx.hstack(
                    rx.text(T["admin.timezone"], weight="medium"),
                    rx.input(name="timezone", default_value=S.timezone, key=S.timezone, aria_label=T["admin.timezone"], width="14rem"),
                    rx.button(T["common.save"], type="submit", variant="soft", size="2"),
                    field_error("tz-timezone", _err("tz-timezone")),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                ),
                on_submit=S.save_timezone,
                reset_on_submit=False,
            ),
        ),
        _card(
            _section_title(T["admin.holidays"], T["admin.holidays_hint"]),
            holiday_import_card(),
            rx.form(
                rx.hstack(
                    rx.vstack(rx.input(name="day", type="date", aria_label=T["admin.holiday_day"]), field_error("holiday-day", _err("holiday-day")), spacing="1"),
                    rx.vstack(rx.input(name="name", placeholder=T["admin.holiday_name"], aria_label=T["admin.holiday_name"]), field_error("holiday-name", _err("holiday-name")), spacing="1", flex="1"),
                    rx.button(rx.icon("plus", size=14), T["admin.add"], type="submit"),
                    spacing="2",
                    wrap="wrap",
                    align="start",
                    width="100%",
                ),
                on_submit=S.add_holiday,
                reset_on_submit=True,
                width="100%",
            ),
            rx.cond(
                S.holidays.length() > 0,
                rx.vstack(rx.foreach(S.holidays, _holiday_row), spacing="1", width="100%"),
                rx.text(T["admin.no_holidays"], size="2", color_scheme="gray"),
            ),
        ),
        spacing="4",
        width="100%",
    )


# ---------------------------------------------------------------- canned responses


def _canned_row(c: CannedRow) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(c.title, weight="bold", size="2"),
            rx.badge(c.locale, variant="soft", color_scheme="gray"),
            rx.spacer(),
            rx.icon_button(rx.icon("trash-2", size=14), on_click=S.delete_canned(c.id), variant="ghost", color_scheme="red", aria_label=T["admin.remove"]),
            width="100%",
            align="center",
        ),
        rx.text(c.body, size="2", color_scheme="gray", white_space="pre-wrap"),
        padding="0.75rem",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="var(--radius-3)",
        width="100%",
        custom_attrs=tid("admin-canned-row"),
    )


def _canned() -> rx.Component:
    return _card(
        _section_title(T["admin.canned"], T["admin.canned_hint"]),
        rx.form(
            rx.vstack(
                rx.hstack(
                    rx.input(name="title", placeholder=T["admin.canned_title"], aria_label=T["admin.canned_title"], flex="1", custom_attrs=tid("admin-canned-title")),
                    rx.select(["es", "en"], name="locale", default_value="es", aria_label=T["admin.locale"]),
                    width="100%",
                    spacing="2",
                ),
                field_error("canned-title", _err("canned-title")),
                rx.text_area(name="body", placeholder=T["admin.canned_body"], aria_label=T["admin.canned_body"], rows="4", width="100%", custom_attrs=tid("admin-canned-body")),
                field_error("canned-body", _err("canned-body")),
                rx.button(rx.icon("plus", size=14), T["admin.add"], type="submit", custom_attrs=tid("admin-canned-submit")),
                spacing="2",
                width="100%",
            ),
            on_submit=S.create_canned,
            reset_on_submit=True,
            width="100%",
        ),
        rx.cond(
            S.canned.length() > 0,
            rx.vstack(rx.foreach(S.canned, _canned_row), spacing="2", width="100%"),
            rx.text(T["admin.canned_empty"], size="2", color_scheme="gray", custom_attrs=tid("admin-canned-empty")),
        ),
    )


def _tab(key: str, icon: str) -> rx.Component:
    return rx.tabs.trigger(rx.hstack(rx.icon(icon, size=14), T[f"admin.tab.{key}"], spacing="1", align="center"), value=key, custom_attrs=tid(f"admin-tab-{key}"))


def admin_page() -> rx.Component:
    return shell(
        guarded(
            S.access,
            rx.vstack(
                rx.heading(T["admin.title"], size="7", as_="h1"),
                rx.text(T["admin.subtitle"], color_scheme="gray"),
                rx.tabs.root(
                    rx.box(
                        rx.tabs.list(
                            _tab("users", "users"),
                            _tab("organizations", "building-2"),
                            _tab("catalog", "layers"),
                            _tab("sla", "alarm-clock"),
                            _tab("canned", "message-square-text"),
                            _tab("integrations", "plug"),
                            _tab("privacy", "shield"),
                        ),
                        overflow_x="auto",
                        width="100%",
                    ),
                    rx.tabs.content(_users(), value="users", padding_top="1rem"),
                    rx.tabs.content(_organizations(), value="organizations", padding_top="1rem"),
                    rx.tabs.content(_catalog(), value="catalog", padding_top="1rem"),
                    rx.tabs.content(_sla(), value="sla", padding_top="1rem"),
                    rx.tabs.content(_canned(), value="canned", padding_top="1rem"),
                    rx.tabs.content(integrations_section(), value="integrations", padding_top="1rem"),
                    rx.tabs.content(privacy_section(), value="privacy", padding_top="1rem"),
                    value=S.tab,
                    on_change=S.set_tab,
                    width="100%",
                ),
                rx.cond(S.access == "ok", chat_admin_section()),
                width="100%",
                spacing="3",
            ),
        )
    )
