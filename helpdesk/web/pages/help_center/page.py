"""Help center pages: home (search as you type, categories, popular), article, category."""

from __future__ import annotations

import reflex as rx

from helpdesk.web import routes
from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, empty_state, loading_block, tid
from helpdesk.web.pages.help_center.state import (
    ArticleLink,
    ArticleState as A,
    CategoryCard,
    CategoryState as C,
    HelpCenterState as S,
    ResultView,
)

SEARCH_INPUT_ID = "kb-search-input"
DEBOUNCE_MS = 250
# Icons the shipped categories use; anything else falls back to a book. A fixed list keeps
# the bundle small (a dynamic icon would ship the whole Lucide set).
CATEGORY_ICONS = ("rocket", "life-buoy", "key-round", "receipt", "phone", "clock", "paperclip", "shield",
                  "user", "credit-card", "settings", "mail")
SR_ONLY = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "overflow": "hidden",
    "clip": "rect(0 0 0 0)",
    "white_space": "nowrap",
}
# Markdown tables get borders and padding (react-markdown emits a bare <table>).
BODY_STYLE = {
    "& table": {"border_collapse": "collapse", "margin": "0.5rem 0", "font_size": "var(--font-size-2)"},
    "& th, & td": {"border": "1px solid var(--gray-a6)", "padding": "0.4rem 0.75rem", "text_align": "left"},
    "& th": {"background": "var(--gray-a3)"},
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


def _category_icon(name, size: int = 22) -> rx.Component:
    return rx.match(
        name,
        *[(icon, rx.icon(icon, size=size, aria_hidden="true")) for icon in CATEGORY_ICONS],
        rx.icon("book-open", size=size, aria_hidden="true"),
    )


def _lang_badge(locale) -> rx.Component:
    # An article in the other language says so before the reader opens it.
    return rx.cond(
        locale != S.locale,
        rx.badge(rx.cond(locale == "en", "English", "Español"), variant="outline", color_scheme="gray", size="1"),
    )


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
                    _lang_badge(r.locale),
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
            rx.center(_category_icon(c.icon), width="44px", height="44px", border_radius="var(--radius-3)",
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


def _article_row(a: ArticleLink) -> rx.Component:
    return rx.el.li(
        rx.link(
            rx.hstack(
                rx.icon("file-text", size=16, color=rx.color("accent", 11), aria_hidden="true", flex_shrink="0"),
                rx.text(a.title, size="2", weight="medium"),
                _lang_badge(a.locale),
                spacing="2",
                align="center",
            ),
            href=a.href,
            underline="hover",
        ),
        list_style="none",
        padding_y="0.4rem",
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
                            rx.el.ul(rx.foreach(S.popular, _article_row), style={"margin": "0", "padding": "0"}),
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
        )
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


# ------------------------------------------------------------------ article


def _not_found(title_key: str, body_key: str) -> rx.Component:
    return empty_state(
        "file-question",
        T[title_key],
        T[body_key],
        rx.link(rx.button(T["common.back_home"], variant="soft"), href=routes.HOME),
    )


def _breadcrumb(*items: rx.Component) -> rx.Component:
    return rx.el.nav(
        rx.hstack(*items, spacing="2", align="center", wrap="wrap"),
        aria_label=T["helpcenter.breadcrumb"],
        margin_bottom="1rem",
    )


def _crumb_sep() -> rx.Component:
    return rx.icon("chevron-right", size=14, color=rx.color("gray", 10), aria_hidden="true")


def _vote_box() -> rx.Component:
    def button(value: str, icon: str, label_key: str, testid: str) -> rx.Component:
        chosen = A.my_vote == value
        return rx.button(
            rx.icon(icon, size=16, aria_hidden="true"),
            T[label_key],
            on_click=A.vote(value == "yes"),
            variant=rx.cond(chosen, "solid", "outline"),
            aria_pressed=rx.cond(chosen, "true", "false"),
            custom_attrs=tid(testid),
        )

    return rx.box(
        rx.flex(
            rx.heading(T["helpcenter.vote.question"], size="3", as_="h2"),
            rx.hstack(
                button("yes", "thumbs-up", "helpcenter.vote.yes", "article-vote-yes"),
                button("no", "thumbs-down", "helpcenter.vote.no", "article-vote-no"),
                spacing="2",
            ),
            gap="0.75rem",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            A.my_vote != "",
            rx.callout(
                rx.cond(A.my_vote == "yes", T["helpcenter.vote.thanks_yes"], T["helpcenter.vote.thanks_no"]),
                icon="heart-handshake",
                color_scheme="green",
                margin_top="0.75rem",
                role="status",
                custom_attrs=tid("article-vote-thanks"),
            ),
        ),
        rx.cond(
            (A.my_vote == "no") & ~A.comment_sent,
            rx.form(
                rx.vstack(
                    rx.el.label(T["helpcenter.vote.missing"], html_for="vote-comment", class_name="hd-label"),
                    rx.text_area(id="vote-comment", name="comment", max_length=1000, rows="3", width="100%",
                                 custom_attrs=tid("article-vote-comment")),
                    rx.button(T["helpcenter.vote.send"], type="submit", variant="soft",
                              custom_attrs=tid("article-vote-comment-submit")),
                    spacing="2",
                    align="start",
                    width="100%",
                ),
                on_submit=A.send_comment,
                reset_on_submit=True,
                margin_top="0.75rem",
            ),
        ),
        class_name="hd-card",
        padding="1.25rem",
        width="100%",
    )


def _related() -> rx.Component:
    return rx.cond(
        A.related.length() > 0,
        rx.box(
            rx.heading(T["helpcenter.related"], size="3", as_="h2", margin_bottom="0.5rem"),
            rx.el.ul(rx.foreach(A.related, _article_row), style={"margin": "0", "padding": "0"}),
            class_name="hd-card",
            padding="1.25rem",
            width="100%",
        ),
    )


def _article() -> rx.Component:
    return rx.vstack(
        _breadcrumb(
            rx.link(T["nav.home"], href=routes.HOME, size="2"),
            rx.cond(
                A.category_href != "",
                rx.fragment(_crumb_sep(), rx.link(A.category_name, href=A.category_href, size="2")),
            ),
        ),
        rx.cond(
            A.translation_href != "",
            rx.callout(
                rx.link(T["helpcenter.in_your_language"], href=A.translation_href),
                icon="languages",
                color_scheme="gray",
                width="100%",
            ),
        ),
        rx.grid(
            rx.el.article(
                rx.vstack(
                    rx.cond(A.is_draft, rx.badge(T["helpcenter.draft"], color_scheme="amber", high_contrast=True)),
                    rx.heading(A.title, size="8", as_="h1", custom_attrs=tid("article-title")),
                    rx.cond(A.summary != "", rx.text(A.summary, size="4", color=rx.color("gray", 11))),
                    rx.hstack(
                        rx.icon("calendar-clock", size=14, aria_hidden="true", color=rx.color("gray", 10)),
                        rx.text(T["helpcenter.updated"], size="2", color=rx.color("gray", 11)),
                        rx.tooltip(
                            rx.text(A.updated, size="2", color=rx.color("gray", 11), title=A.updated_full,
                                    custom_attrs=tid("article-updated")),
                            content=A.updated_full,
                        ),
                        spacing="1",
                        align="center",
                    ),
                    rx.box(
                        rx.markdown(A.body, use_raw=False),
                        width="100%",
                        style=BODY_STYLE,
                        custom_attrs=tid("article-body"),
                    ),
                    spacing="3",
                    width="100%",
                ),
                lang=A.article_locale,
                min_width="0",
            ),
            rx.vstack(_related(), width="100%", spacing="4"),
            columns={"initial": "1", "md": "minmax(0, 1fr) 18rem"},
            gap="2rem",
            width="100%",
        ),
        rx.box(_vote_box(), width="100%", max_width="46rem"),
        spacing="5",
        width="100%",
    )


def article_page() -> rx.Component:
    return shell(
        rx.cond(
            A.loaded,
            rx.cond(A.found, _article(), _not_found("helpcenter.not_found.title", "helpcenter.not_found.body")),
            loading_block(),
        )
    )


# ------------------------------------------------------------------ category


def _category_article(a: ArticleLink) -> rx.Component:
    return rx.el.li(
        rx.link(
            rx.vstack(
                rx.hstack(rx.text(a.title, weight="medium", size="3"), _lang_badge(a.locale), spacing="2", align="center"),
                rx.cond(a.summary != "", rx.text(a.summary, size="2", color=rx.color("gray", 11))),
                spacing="1",
            ),
            href=a.href,
            underline="none",
            display="block",
            padding="0.9rem 1rem",
            _hover={"background": "var(--accent-a3)"},
            custom_attrs=tid("category-article"),
        ),
        list_style="none",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _category() -> rx.Component:
    return rx.vstack(
        _breadcrumb(rx.link(T["nav.home"], href=routes.HOME, size="2"), _crumb_sep(), rx.text(C.name, size="2")),
        rx.hstack(
            rx.center(_category_icon(C.icon, 26), width="52px", height="52px", border_radius="var(--radius-3)",
                      background=rx.color("accent", 3), color=rx.color("accent", 11), flex_shrink="0"),
            rx.vstack(
                rx.heading(C.name, size="7", as_="h1"),
                rx.text(C.description, color=rx.color("gray", 11)),
                spacing="1",
            ),
            spacing="3",
            align="center",
        ),
        rx.cond(C.other_language, rx.callout(T["helpcenter.other_language"], icon="languages", color_scheme="gray")),
        rx.cond(
            C.articles.length() > 0,
            rx.el.ul(rx.foreach(C.articles, _category_article), class_name="hd-card", style={"margin": "0", "padding": "0"}, width="100%"),
            empty_state("book-dashed", T["helpcenter.category.empty_title"], T["helpcenter.category.empty_body"],
                        rx.link(rx.button(T["nav.new_ticket"], variant="soft"), href=routes.NEW_TICKET)),
        ),
        spacing="4",
        width="100%",
        max_width="52rem",
    )


def category_page() -> rx.Component:
    return shell(
        rx.cond(
            C.loaded,
            rx.cond(C.found, _category(), _not_found("helpcenter.category.not_found_title", "helpcenter.category.not_found_body")),
            loading_block(),
        )
    )
