"""/agent/articles: article list, editor with live preview, search analytics."""

from __future__ import annotations

import reflex as rx

from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, empty_state, field_error, form_error, guarded, tid
from helpdesk.web.pages.agent.widgets import subnav
from helpdesk.web.pages.help_center.parts import BODY_STYLE
from helpdesk.web.pages.kb_admin.loop_page import article_stats, gaps_panel, synonyms_panel
from helpdesk.web.pages.kb_admin.state import AdminRow, FollowedRow, FunnelStep, KbAdminState as S, QueryRow, WorstRow

_SELECT_STYLE = {
    "width": "100%",
    "height": "var(--space-6)",
    "padding": "0 0.5rem",
    "border": "1px solid var(--gray-a7)",
    "border_radius": "var(--radius-2)",
    "background": "var(--color-surface)",
    "color": "var(--gray-12)",
    "font_family": "inherit",
}


def _card(*children, **props) -> rx.Component:
    return rx.box(*children, class_name="hd-card", padding="1.25rem", width="100%", **props)


def _dated(text, full) -> rx.Component:
    return rx.tooltip(rx.text(text, size="1", color=rx.color("gray", 11), title=full, white_space="nowrap"), content=full)


# ------------------------------------------------------------------ list


def _row(a: AdminRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.button(a.title, variant="ghost", on_click=S.edit_article(a.id), text_align="left",
                          height="auto", white_space="normal", custom_attrs=tid("kb-admin-edit")),
                rx.text(a.slug, size="1", color=rx.color("gray", 11), font_family="monospace"),
                spacing="1",
                align="start",
            )
        ),
        rx.table.cell(rx.badge(a.locale, variant="outline", color_scheme="gray", high_contrast=True)),
        rx.table.cell(
            rx.cond(
                a.published,
                rx.badge(T["kbadmin.published"], color_scheme="green", high_contrast=True),
                rx.badge(T["kbadmin.draft"], color_scheme="amber", high_contrast=True),
            )
        ),
        rx.table.cell(rx.text(a.category, size="2")),
        rx.table.cell(rx.text(a.views, size="2")),
        rx.table.cell(_dated(a.updated, a.updated_full)),
        rx.table.cell(rx.link(T["kbadmin.open"], href=a.href, size="2", is_external=True)),
        custom_attrs=tid("kb-admin-row"),
    )


def _list() -> rx.Component:
    return _card(
        rx.flex(
            rx.heading(T["kbadmin.list_title"], size="4", as_="h2"),
            rx.spacer(),
            rx.button(rx.icon("plus", size=16, aria_hidden="true"), T["kbadmin.new"], on_click=S.new_article,
                      custom_attrs=tid("kb-admin-new")),
            align="center",
            margin_bottom="0.75rem",
            gap="0.5rem",
            wrap="wrap",
        ),
        rx.cond(
            S.articles.length() > 0,
            rx.scroll_area(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[rx.table.column_header_cell(T[f"kbadmin.col.{c}"]) for c in
                              ("title", "locale", "status", "category", "views", "updated", "open")]
                        )
                    ),
                    rx.table.body(rx.foreach(S.articles, _row)),
                    size="1",
                    width="100%",
                ),
                type="auto",
                scrollbars="horizontal",
                max_height="32rem",
            ),
            empty_state("book-dashed", T["kbadmin.empty_title"], T["kbadmin.empty_body"]),
        ),
    )


# ------------------------------------------------------------------ editor


def _label(text, field: str) -> rx.Component:
    return rx.el.label(text, html_for=f"kb-{field}", class_name="hd-label")


def _aria(field: str) -> dict:
    return {"aria-invalid": rx.cond(S.errors.contains(field), "true", "false"), "aria-describedby": f"{field}-error"}


def _text_field(field: str, value, **props) -> rx.Component:
    return rx.vstack(
        _label(T[f"kbadmin.field.{field}"], field),
        rx.input(id=f"kb-{field}", value=value, on_change=lambda v: S.edit_field(field, v), width="100%",
                 custom_attrs={**tid(f"kb-edit-{field}"), **_aria(field)}, **props),
        field_error(field, S.errors.get(field, "")),
        spacing="1",
        width="100%",
        align="stretch",
    )


def _editor() -> rx.Component:
    return _card(
        rx.flex(
            rx.heading(rx.cond(S.edit_id == 0, T["kbadmin.new_title"], T["kbadmin.edit_title"]), size="4", as_="h2"),
            rx.spacer(),
            rx.button(T["common.cancel"], variant="soft", color_scheme="gray", on_click=S.cancel_edit),
            align="center",
            margin_bottom="0.75rem",
        ),
        form_error(S.form_error),
        rx.cond(
            S.f_source_ticket != 0,
            rx.callout.root(
                rx.callout.icon(rx.icon("info", aria_hidden="true")),
                rx.callout.text(T["kbdraft.from_ticket"], " ", rx.link("#", S.f_source_ticket,
                                href="/agent/tickets/" + S.f_source_ticket.to_string())),
                color_scheme="amber", margin_bottom="0.75rem", custom_attrs=tid("kb-draft-source"),
            ),
        ),
        rx.grid(
            rx.vstack(
                _text_field("title", S.f_title),
                _text_field("slug", S.f_slug, placeholder=T["kbadmin.slug_hint"]),
                _text_field("summary", S.f_summary),
                rx.grid(
                    rx.vstack(
                        _label(T["kbadmin.field.category"], "category"),
                        rx.el.select(
                            rx.el.option(T["kbadmin.no_category"], value=""),
                            rx.foreach(S.category_options, lambda o: rx.el.option(o.label, value=o.value)),
                            id="kb-category",
                            value=S.f_category,
                            on_change=lambda v: S.edit_field("category", v),
                            style=_SELECT_STYLE,
                            custom_attrs={**tid("kb-edit-category"), **_aria("category")},
                        ),
                        field_error("category", S.errors.get("category", "")),
                        spacing="1",
                        align="stretch",
                    ),
                    rx.vstack(
                        _label(T["kbadmin.field.locale"], "locale"),
                        rx.el.select(
                            rx.el.option("Español", value="es"),
                            rx.el.option("English", value="en"),
                            id="kb-locale",
                            value=S.f_locale,
                            on_change=lambda v: S.edit_field("locale", v),
                            style=_SELECT_STYLE,
                            custom_attrs=tid("kb-edit-locale"),
                        ),
                        spacing="1",
                        align="stretch",
                    ),
                    columns="2",
                    gap="0.75rem",
                    width="100%",
                ),
                rx.vstack(
                    _label(T["kbadmin.field.body"], "body"),
                    rx.text_area(
                        id="kb-body",
                        # Uncontrolled (remounted per article by `key`): the preview follows
                        # the typing through a debounced event without echoing into the box.
                        key=S.form_key,
                        default_value=S.f_body,
                        on_change=S.edit_body.debounce(250),
                        rows="16",
                        width="100%",
                        font_family="monospace",
                        custom_attrs={**tid("kb-edit-body"), **_aria("body")},
                    ),
                    rx.text(T["kbadmin.body_hint"], size="1", color=rx.color("gray", 11)),
                    field_error("body", S.errors.get("body", "")),
                    spacing="1",
                    width="100%",
                    align="stretch",
                ),
                rx.el.label(
                    rx.hstack(
                        rx.switch(checked=S.f_published, on_change=S.set_published, custom_attrs=tid("kb-edit-published")),
                        rx.text(T["kbadmin.field.published"], size="2"),
                        spacing="2",
                        align="center",
                    ),
                ),
                rx.button(
                    rx.icon("save", size=16, aria_hidden="true"),
                    T["common.save"],
                    on_click=S.save,
                    loading=S.saving,
                    size="3",
                    custom_attrs=tid("kb-edit-save"),
                ),
                spacing="3",
                width="100%",
                align="stretch",
            ),
            rx.vstack(
                rx.heading(T["kbadmin.preview"], size="3", as_="h3"),
                rx.box(
                    rx.cond(S.f_title != "", rx.heading(S.f_title, size="6", as_="p", margin_bottom="0.5rem")),
                    rx.markdown(S.preview, use_raw=False),
                    lang=S.f_locale,
                    style=BODY_STYLE,
                    border=f"1px dashed {rx.color('gray', 7)}",
                    border_radius="var(--radius-3)",
                    padding="1rem",
                    width="100%",
                    min_height="12rem",
                    custom_attrs=tid("kb-edit-preview"),
                ),
                spacing="2",
                width="100%",
                min_width="0",
            ),
            columns={"initial": "1", "md": "2"},
            gap="1.5rem",
            width="100%",
        ),
        rx.cond(S.edit_id != 0, rx.box(article_stats(), margin_top="1.5rem")),
    )


# ------------------------------------------------------------------ analytics


def _query_list(title, rows, testid: str, empty) -> rx.Component:
    def row(r: QueryRow) -> rx.Component:
        return rx.el.li(
            rx.hstack(
                rx.text(r.query, weight="medium", size="2"),
                rx.spacer(),
                rx.badge(r.searches, variant="soft", high_contrast=True),
                align="center",
            ),
            rx.text(r.detail, size="1", color=rx.color("gray", 11)),
            list_style="none",
            padding_y="0.4rem",
            border_bottom=f"1px solid {rx.color('gray', 4)}",
            custom_attrs=tid(testid),
        )

    return _card(
        rx.heading(title, size="3", as_="h3", margin_bottom="0.5rem"),
        rx.cond(
            rows.length() > 0,
            rx.el.ul(rx.foreach(rows, row), style={"margin": "0", "padding": "0"}),
            rx.text(empty, size="2", color=rx.color("gray", 11)),
        ),
    )


def _funnel_step(f: FunnelStep) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.text(f.label, size="2"), rx.spacer(), rx.text(f.value, weight="bold", size="2"), width="100%"),
        rx.progress(value=f.percent, max=100, width="100%", aria_label=f.label),
        spacing="1",
        width="100%",
    )


def _worst(w: WorstRow) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.link(w.title, href=w.href, size="2", weight="medium", is_external=True),
            rx.spacer(),
            rx.badge(w.ratio, color_scheme="red", variant="soft", high_contrast=True),
            align="center",
        ),
        rx.text(T["kbadmin.worst.votes"], ": ", w.helpful, " / ", w.not_helpful, size="1", color=rx.color("gray", 11)),
        rx.foreach(w.comments, lambda c: rx.text("“", c, "”", size="1", color=rx.color("gray", 11), font_style="italic")),
        list_style="none",
        padding_y="0.4rem",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _followed(f: FollowedRow) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text(f.query, size="2", weight="medium"),
            rx.spacer(),
            rx.link(f.ticket, href=f.href, size="2"),
            _dated(f.when, f.when_full),
            align="center",
            spacing="2",
        ),
        list_style="none",
        padding_y="0.4rem",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _analytics() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.heading(T["kbadmin.analytics_title"], size="5", as_="h2"),
            rx.spacer(),
            rx.button(rx.icon("refresh-cw", size=14, aria_hidden="true"), T["kbadmin.refresh"], variant="soft",
                      size="2", on_click=S.refresh),
            align="center",
            width="100%",
        ),
        rx.grid(
            _card(
                rx.heading(T["kbadmin.funnel_title"], size="3", as_="h3", margin_bottom="0.25rem"),
                rx.text(T["kbadmin.deflection_rate"], ": ", rx.text.strong(S.deflection_rate), size="2",
                        custom_attrs=tid("kb-deflection-rate")),
                rx.vstack(rx.foreach(S.funnel, _funnel_step), spacing="3", margin_top="0.75rem"),
            ),
            _query_list(T["kbadmin.top_title"], S.top_queries, "kb-top-query", T["kbadmin.none_yet"]),
            _query_list(T["kbadmin.no_results_title"], S.no_result_queries, "kb-no-result-query", T["kbadmin.none_yet"]),
            _card(
                rx.heading(T["kbadmin.worst_title"], size="3", as_="h3", margin_bottom="0.5rem"),
                rx.cond(
                    S.worst.length() > 0,
                    rx.el.ul(rx.foreach(S.worst, _worst), style={"margin": "0", "padding": "0"}),
                    rx.text(T["kbadmin.none_yet"], size="2", color=rx.color("gray", 11)),
                ),
            ),
            _card(
                rx.heading(T["kbadmin.followed_title"], size="3", as_="h3", margin_bottom="0.5rem"),
                rx.cond(
                    S.followed.length() > 0,
                    rx.el.ul(rx.foreach(S.followed, _followed), style={"margin": "0", "padding": "0"}),
                    rx.text(T["kbadmin.none_yet"], size="2", color=rx.color("gray", 11)),
                ),
            ),
            columns={"initial": "1", "md": "2"},
            gap="1rem",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _content() -> rx.Component:
    return rx.vstack(
        subnav("articles"),
        rx.vstack(
            rx.heading(T["kbadmin.title"], size="7", as_="h1"),
            rx.text(T["kbadmin.subtitle"], color=rx.color("gray", 11)),
            spacing="1",
        ),
        rx.cond(S.editing, _editor()),
        _list(),
        rx.grid(gaps_panel(), synonyms_panel(), columns={"initial": "1", "lg": "2"}, gap="1rem", width="100%",
                align_items="start"),
        _analytics(),
        spacing="5",
        width="100%",
    )


def kb_admin_page() -> rx.Component:
    return shell(guarded(S.access, _content()))
