"""Help-center home: search as you type, categories, popular articles (article and category
pages are in article_page.py)."""

from __future__ import annotations

import reflex as rx

from helpdesk.web import routes
from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, loading_block, tid
from helpdesk.web.pages.chat.panel import chat_widget
from helpdesk.web.pages.help_center.correction import correction_notice
from helpdesk.web.pages.help_center.parts import article_row, category_icon, lang_badge
from helpdesk.web.pages.help_center.state import CategoryCard, HelpCenterState as S, ResultView

SEARCH_INPUT_ID = "kb-search-input"
DEBOUNCE_MS = 250
SR_ONLY = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "overflow": "hidden",
    "clip": "rect(0 0 0 0)",
    "white_space": "nowrap",
}
MARK_STYLE = {"background": "var(--amber-a5)", "color": "inherit", "border_radius": "2px", "padding": "0 1px"}

# Arrow keys walk from the search box through the result links and back; Enter in the box
# opens the first result (links themselves open with Enter natively, Tab also works).
_KEYNAV_HOOK = """
useEffect(() => {
  const onKey = (e) => {
    const input = document.getElementById('%(input)s');
    if (!input) return;
    const links = Array.from(document.querySelectorAll('[data-testid="kb-result"] a'));
    const here = document.activeElement;
    const i = links.indexOf(here);
    if (here !== input && i < 0) return;
    if (e.key === 'Enter' && here === input && links.length) { e.preventDefault(); links[0].click(); return; }
    if (!links.length || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp')) return;
    e.preventDefault();
    if (e.key === 'ArrowDown') (links[i + 1] || links[0]).focus();
    else if (i <= 0) input.focus();
    else links[i - 1].focus();
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}, []);
""" % {"input": SEARCH_INPUT_ID}


class _KeyboardNav(rx.Fragment):
    def add_imports(self):
        return {"react": ["useEffect"]}

    def add_hooks(self) -> list[str]:
        return [_KEYNAV_HOOK]


# ------------------------------------------------------------------ home


def _segment(seg) -> rx.Component:
    return rx.cond(seg.hit, rx.el.mark(seg.text, style=MARK_STYLE), rx.text.span(seg.text))


def _result(r: ResultView) -> rx.Component:
    return rx.el.li(
        rx.link(
            rx.vstack(
                rx.hstack(
                    rx.icon("file-text", size=16, color=rx.color("accent", 11), aria_hidden="true", flex_shrink="0"),
                    rx.text(r.title, weight="medium", size="3", color=rx.color("gray", 12)),
                    lang_badge(r.locale),
                    spacing="2",
                    align="center",
                ),
                rx.text(rx.foreach(r.snippet, _segment), size="2", color=rx.color("gray", 11)),
                rx.cond(r.category_name != "", rx.text(r.category_name, size="1", color=rx.color("gray", 11))),
                spacing="1",
                align="start",
            ),
            href=r.href,
            underline="none",
            display="block",
            padding="0.75rem 1rem",
            border_radius="var(--radius-3)",
            _hover={"background": "var(--accent-a3)"},
            on_click=S.opened_result(r.slug),
        ),
        custom_attrs=tid("kb-result"),
        list_style="none",
    )


def _no_results() -> rx.Component:
    return rx.vstack(
        rx.icon("search-x", size=28, color=rx.color("gray", 10), aria_hidden="true"),
        rx.heading(T["helpcenter.no_results.title"], size="4", as_="h2"),
        rx.text(T["helpcenter.no_results.body"], color=rx.color("gray", 11), text_align="center"),
        rx.link(
            rx.button(rx.icon("circle-plus", size=16, aria_hidden="true"), T["helpcenter.no_results.open_ticket"], size="3"),
            href=S.new_ticket_href,
            custom_attrs=tid("kb-open-ticket"),
        ),
        align="center",
        spacing="2",
        padding="1.5rem 1rem",
        custom_attrs=tid("kb-no-results"),
    )


def _results_panel() -> rx.Component:
    return rx.cond(
        S.query != "",
        rx.box(
            correction_notice(),
            rx.cond(
                S.results.length() > 0,
                rx.el.ul(
                    rx.foreach(S.results, _result),
                    aria_label=T["helpcenter.results_label"],
                    style={"margin": "0", "padding": "0.25rem"},
                ),
                rx.cond(S.searched, _no_results()),
            ),
            class_name="hd-card",
            width="100%",
            text_align="left",
            margin_top="0.5rem",
        ),
    )


def _search_box() -> rx.Component:
    return rx.vstack(
        rx.el.label(T["helpcenter.search_label"], html_for=SEARCH_INPUT_ID, style=SR_ONLY),
        rx.input(
            rx.input.slot(rx.icon("search", size=18, aria_hidden="true")),
            id=SEARCH_INPUT_ID,
            type="search",
            placeholder=T["helpcenter.search_placeholder"],
            on_change=S.search.debounce(DEBOUNCE_MS),
            size="3",
            width="100%",
            auto_complete="off",
            aria_describedby="kb-search-hint",
            custom_attrs=tid("kb-search"),
        ),
        rx.text(T["helpcenter.search_hint"], id="kb-search-hint", size="2", color=rx.color("gray", 11)),
        # Announces how many results arrived without moving focus from the box.
        rx.box(
            rx.cond(
                S.searched,
                rx.cond(S.results.length() > 0, T["helpcenter.results_count"], T["helpcenter.no_results.title"]),
                "",
            ),
            role="status",
            aria_live="polite",
            style=SR_ONLY,
        ),
        _results_panel(),
        _KeyboardNav.create(),
        width="100%",
        max_width="40rem",
        spacing="2",
        align="center",
    )


def _category_card(c: CategoryCard) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.center(category_icon(c.icon), width="44px", height="44px", border_radius="var(--radius-3)",
                      background=rx.color("accent", 3), color=rx.color("accent", 11), flex_shrink="0"),
            rx.vstack(
                rx.heading(c.name, size="3", as_="h3", color=rx.color("gray", 12)),
                rx.text(c.description, size="2", color=rx.color("gray", 11)),
                rx.text(T["helpcenter.articles_count"], ": ", c.count, size="1", color=rx.color("gray", 11), weight="medium"),
                spacing="1",
                align="start",
            ),
            spacing="3",
            align="start",
        ),
        href=c.href,
        underline="none",
        class_name="hd-card",
        display="block",
        padding="1rem",
        height="100%",
        custom_attrs=tid("kb-category"),
    )


def home_page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.box(
                rx.vstack(
                    rx.heading(T["home.hero_title"], size="8", as_="h1", text_align="center"),
                    rx.text(T["home.hero_subtitle"], size="4", color=rx.color("gray", 11), text_align="center"),
                    _search_box(),
                    spacing="3",
                    align="center",
                ),
                class_name="hd-hero",
                width="100%",
            ),
            rx.cond(
                S.home_loaded,
                rx.vstack(
                    rx.heading(T["helpcenter.categories"], size="5", as_="h2"),
                    rx.grid(
                        rx.foreach(S.categories, _category_card),
                        columns={"initial": "1", "sm": "2", "md": "3"},
                        gap="1rem",
                        width="100%",
                    ),
                    rx.cond(
                        S.popular.length() > 0,
                        rx.box(
                            rx.heading(T["helpcenter.popular"], size="5", as_="h2", margin_bottom="0.5rem"),
                            rx.el.ul(rx.foreach(S.popular, article_row), style={"margin": "0", "padding": "0"}),
                            class_name="hd-card",
                            padding="1.25rem",
                            width="100%",
                        ),
                    ),
                    _still_need_help(),
                    spacing="4",
                    width="100%",
                ),
                loading_block(),
            ),
            spacing="6",
            width="100%",
        ),
        chat_widget(),
    )


def _still_need_help() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.heading(T["helpcenter.cta.title"], size="4", as_="h2"),
            rx.text(T["helpcenter.cta.body"], size="2", color=rx.color("gray", 11)),
            spacing="1",
        ),
        rx.spacer(),
        rx.link(rx.button(T["nav.new_ticket"], size="3", variant="soft"), href=routes.NEW_TICKET),
        class_name="hd-card",
        padding="1.25rem",
        width="100%",
        gap="1rem",
        align="center",
        wrap="wrap",
    )
