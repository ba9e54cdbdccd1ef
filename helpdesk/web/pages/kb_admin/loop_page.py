"""/agent/articles, the knowledge loop's parts: the gaps panel, the synonym groups editors own
and the article editor's figures over time (Recharts, as on /agent/dashboard)."""

from __future__ import annotations

import reflex as rx

from helpdesk.web.components.ui import T, field_error, tid
from helpdesk.web.pages.kb_admin.loop_state import GapRow, GapTicket, KbLoopState as L, SynonymHit, SynonymRow
from helpdesk.web.pages.kb_admin.state import KbAdminState as S
from helpdesk.web.pages.kb_admin.stats_state import KbStatsState as St, Reason

_LINE = {"list_style": "none", "padding_y": "0.5rem", "border_bottom": f"1px solid {rx.color('gray', 4)}"}
_SELECT_STYLE = {
    "height": "var(--space-6)", "padding": "0 0.5rem", "border": "1px solid var(--gray-a7)",
    "border_radius": "var(--radius-2)", "background": "var(--color-surface)", "color": "var(--gray-12)",
    "font_family": "inherit",
}


def _card(*children, **props) -> rx.Component:
    return rx.box(*children, class_name="hd-card", padding="1.25rem", width="100%", min_width="0", **props)


def _loading() -> rx.Component:
    return rx.hstack(rx.spinner(size="2"), rx.text(T["common.loading"], size="2", color=rx.color("gray", 11)),
                     align="center", role="status", aria_busy="true", padding_y="0.5rem")


def _muted(text) -> rx.Component:
    return rx.text(text, size="2", color=rx.color("gray", 11))


# ------------------------------------------------------------------ gaps


def _gap_ticket(t: GapTicket) -> rx.Component:
    return rx.flex(
        rx.link(t.label, href=t.href, size="2", weight="medium"),
        rx.text(t.subject, size="1", color=rx.color("gray", 11), flex="1", min_width="8rem", trim="both"),
        rx.badge(t.status, variant="soft", color_scheme="gray", high_contrast=True),
        rx.cond(
            t.draftable,
            rx.button(rx.icon("file-pen-line", size=14, aria_hidden="true"), T["kbdraft.button"], size="1",
                      variant="soft", on_click=S.draft_from_ticket(t.number), loading=S.drafting == t.number,
                      custom_attrs=tid("kb-gap-draft")),
        ),
        align="center",
        gap="0.5rem",
        wrap="wrap",
        width="100%",
    )


def _gap(g: GapRow) -> rx.Component:
    return rx.el.li(
        rx.flex(
            rx.text(g.question, weight="medium", size="2", flex="1", min_width="0", word_break="break-word"),
            rx.badge(g.unanswered, T["kbgaps.unanswered"], variant="soft", color_scheme="red", high_contrast=True),
            align="center",
            gap="0.5rem",
        ),
        rx.cond(
            g.phrasings.length() > 0,
            rx.text(T["kbgaps.also"], ": ", rx.foreach(g.phrasings, lambda p: rx.text.em("«", p, "» ")), size="1",
                    color=rx.color("gray", 11)),
        ),
        rx.text(g.detail, " · ", g.last, size="1", color=rx.color("gray", 11)),
        rx.cond(
            g.tickets.length() > 0,
            rx.vstack(rx.foreach(g.tickets, _gap_ticket), spacing="1", width="100%", margin_top="0.25rem"),
        ),
        **_LINE,
        custom_attrs=tid("kb-gap-row"),
    )


def gaps_panel() -> rx.Component:
    return _card(
        rx.flex(
            rx.heading(T["kbgaps.title"], size="4", as_="h2"),
            rx.spacer(),
            rx.button(rx.icon("refresh-cw", size=14, aria_hidden="true"), T["kbadmin.refresh"], variant="soft",
                      size="2", on_click=L.load_loop),
            align="center",
            gap="0.5rem",
            wrap="wrap",
        ),
        _muted(T["kbgaps.hint"]),
        rx.cond(S.draft_error != "", rx.text(S.draft_error, size="2", color_scheme="red", role="alert")),
        rx.cond(
            L.gaps_loading & ~L.gaps_loaded,
            _loading(),
            rx.cond(
                L.gaps.length() > 0,
                rx.el.ul(rx.foreach(L.gaps, _gap), style={"margin": "0.5rem 0 0", "padding": "0"}),
                rx.vstack(rx.icon("circle-check", size=28, color=rx.color("green", 11), aria_hidden="true"),
                          rx.text(T["kbgaps.empty"], size="2", color=rx.color("gray", 11), text_align="center"),
                          align="center", padding_y="1.5rem", width="100%"),
            ),
        ),
        custom_attrs=tid("kb-gaps"),
    )


# ------------------------------------------------------------------ synonyms


def _synonym(g: SynonymRow) -> rx.Component:
    return rx.el.li(
        rx.flex(
            rx.badge(g.locale, variant="outline", color_scheme="gray", high_contrast=True),
            rx.text(g.terms, size="2", flex="1", min_width="0", word_break="break-word"),
            rx.icon_button(rx.icon("pencil", size=14), size="1", variant="ghost", aria_label=T["kbsyn.edit"],
                           title=T["kbsyn.edit"], on_click=L.edit_synonyms(g.id)),
            rx.icon_button(rx.icon("trash-2", size=14), size="1", variant="ghost", color_scheme="red",
                           aria_label=T["kbsyn.delete"], title=T["kbsyn.delete"], on_click=L.delete_synonyms(g.id)),
            align="center",
            gap="0.5rem",
        ),
        **_LINE,
        custom_attrs=tid("kb-syn-row"),
    )


def _hit(h: SynonymHit) -> rx.Component:
    return rx.el.li(
        rx.flex(rx.text(h.words, size="2", weight="medium"), rx.spacer(),
                rx.badge(h.searches, variant="soft", high_contrast=True), align="center"),
        rx.text(h.detail, size="1", color=rx.color("gray", 11)),
        **_LINE,
    )


def synonyms_panel() -> rx.Component:
    return _card(
        rx.heading(T["kbsyn.title"], size="4", as_="h2"),
        _muted(T["kbsyn.hint"]),
        rx.form(
            rx.flex(
                rx.vstack(
                    rx.el.label(T["kbsyn.terms"], html_for="kb-syn-terms", class_name="hd-label"),
                    rx.input(id="kb-syn-terms", value=L.syn_terms, on_change=L.set_syn_terms,
                             placeholder=T["kbsyn.placeholder"], width="100%",
                             aria_invalid=rx.cond(L.syn_error != "", "true", "false"),
                             aria_describedby="syn_terms-error", custom_attrs=tid("kb-syn-terms")),
                    spacing="1", flex="1", min_width="12rem",
                ),
                rx.vstack(
                    rx.el.label(T["kbadmin.field.locale"], html_for="kb-syn-locale", class_name="hd-label"),
                    rx.el.select(rx.el.option("Español", value="es"), rx.el.option("English", value="en"),
                                 id="kb-syn-locale", value=L.syn_locale, on_change=L.set_syn_locale,
                                 style=_SELECT_STYLE),
                    spacing="1",
                ),
                rx.button(rx.cond(L.syn_edit_id == 0, T["kbsyn.add"], T["common.save"]), type="submit",
                          custom_attrs=tid("kb-syn-save")),
                rx.cond(L.syn_edit_id != 0, rx.button(T["common.cancel"], type="button", variant="soft",
                                                      color_scheme="gray", on_click=L.cancel_synonyms)),
                align="end",
                gap="0.5rem",
                wrap="wrap",
                margin_top="0.75rem",
            ),
            field_error("syn_terms", L.syn_error),
            on_submit=lambda _form: L.save_synonyms(),
            reset_on_submit=False,
        ),
        rx.cond(
            L.synonym_groups.length() > 0,
            rx.el.ul(rx.foreach(L.synonym_groups, _synonym), style={"margin": "0.5rem 0 0", "padding": "0"}),
            rx.box(_muted(T["kbsyn.empty"]), padding_y="0.75rem"),
        ),
        rx.heading(T["kbsyn.hits_title"], size="3", as_="h3", margin_top="1rem"),
        rx.cond(
            L.synonym_hits.length() > 0,
            rx.el.ul(rx.foreach(L.synonym_hits, _hit), style={"margin": "0", "padding": "0"}),
            _muted(T["kbadmin.none_yet"]),
        ),
    )


# ------------------------------------------------------------------ article figures


def _figure(label, value, hint=None) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 11)),
        rx.text(value, size="5", weight="bold"),
        hint if hint is not None else rx.fragment(),
        spacing="0",
        padding="0.5rem 0.75rem",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="var(--radius-2)",
        min_width="0",
    )


def _reason(r: Reason) -> rx.Component:
    return rx.el.li(
        rx.text("“", r.comment, "”", size="2", font_style="italic"),
        rx.text(r.when, size="1", color=rx.color("gray", 11), title=r.when_full),
        **_LINE,
    )


def article_stats() -> rx.Component:
    return _card(
        rx.heading(T["kbstats.title"], size="3", as_="h3"),
        _muted(T["kbstats.hint"]),
        rx.cond(
            St.stats_loading,
            _loading(),
            rx.vstack(
                rx.grid(
                    _figure(T["kbstats.views"], St.views_total),
                    _figure(T["kbstats.helpful"], St.helpful),
                    _figure(T["kbstats.not_helpful"], St.not_helpful),
                    _figure(T["kbstats.headed_off"], St.headed_off,
                            rx.text(St.pending, " ", T["kbstats.pending"], size="1", color=rx.color("gray", 11))),
                    columns={"initial": "2", "sm": "4"},
                    gap="0.5rem",
                    width="100%",
                ),
                rx.box(
                    rx.recharts.bar_chart(
                        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
                        rx.recharts.x_axis(data_key="week", font_size=12),
                        rx.recharts.y_axis(allow_decimals=False, width=30, font_size=12),
                        rx.recharts.tooltip(),
                        rx.recharts.legend(),
                        rx.recharts.bar(data_key="views", name=T["kbstats.views"], fill="var(--indigo-9)",
                                        is_animation_active=False),
                        rx.recharts.bar(data_key="headed_off", name=T["kbstats.headed_off"], fill="var(--green-11)",
                                        is_animation_active=False),
                        rx.recharts.bar(data_key="helpful", name=T["kbstats.helpful"], fill="var(--purple-11)",
                                        is_animation_active=False),
                        rx.recharts.bar(data_key="not_helpful", name=T["kbstats.not_helpful"], fill="var(--red-11)",
                                        is_animation_active=False),
                        data=St.weeks,
                        width="100%",
                        height=240,
                    ),
                    width="100%",
                    role="img",
                    aria_label=T["kbstats.chart_label"],
                ),
                rx.heading(T["kbstats.reasons"], size="2", as_="h4"),
                rx.cond(
                    St.reasons.length() > 0,
                    rx.el.ul(rx.foreach(St.reasons, _reason), style={"margin": "0", "padding": "0"}),
                    _muted(T["kbstats.no_reasons"]),
                ),
                spacing="3",
                width="100%",
                margin_top="0.5rem",
            ),
        ),
        custom_attrs=tid("kb-article-stats"),
    )
