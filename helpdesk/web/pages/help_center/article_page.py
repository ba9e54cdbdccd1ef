"""Help-center article and category pages (the home page and its search are in page.py)."""

from __future__ import annotations

import reflex as rx

from helpdesk.web import routes
from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, empty_state, loading_block, tid
from helpdesk.web.pages.chat.panel import chat_widget
from helpdesk.web.pages.help_center.parts import BODY_STYLE, article_row, category_icon, lang_badge
from helpdesk.web.pages.help_center.state import ArticleLink, ArticleState as A, CategoryState as C


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
            rx.el.ul(rx.foreach(A.related, article_row), style={"margin": "0", "padding": "0"}),
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
                        rx.html(A.body_html),
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
        ),
        chat_widget(),
    )


# ------------------------------------------------------------------ category


def _category_article(a: ArticleLink) -> rx.Component:
    return rx.el.li(
        rx.link(
            rx.vstack(
                rx.hstack(rx.text(a.title, weight="medium", size="3"), lang_badge(a.locale), spacing="2", align="center"),
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
            rx.center(category_icon(C.icon, 26), width="52px", height="52px", border_radius="var(--radius-3)",
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
        ),
        chat_widget(),
    )
