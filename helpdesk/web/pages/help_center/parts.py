"""Pieces the help-center pages share: category icons, the article body style, the language
badge and an article link row."""

from __future__ import annotations

import reflex as rx

from helpdesk.web.pages.help_center.state import ArticleLink, HelpCenterState as S

# Icons the shipped categories use; anything else falls back to a book. A fixed list keeps
# the bundle small (a dynamic icon would ship the whole Lucide set).
CATEGORY_ICONS = ("rocket", "life-buoy", "key-round", "receipt", "phone", "clock", "paperclip", "shield",
                  "user", "credit-card", "settings", "mail")
# Markdown tables get borders and padding (react-markdown emits a bare <table>).
BODY_STYLE = {
    "& table": {"border_collapse": "collapse", "margin": "0.5rem 0", "font_size": "var(--font-size-2)"},
    "& th, & td": {"border": "1px solid var(--gray-a6)", "padding": "0.4rem 0.75rem", "text_align": "left"},
    "& th": {"background": "var(--gray-a3)"},
    # The body is plain HTML rendered on the server (no Markdown library in the browser):
    # give it the theme's rhythm here.
    "line_height": "1.65",
    "& h1, & h2, & h3, & h4": {"font_weight": "700", "line_height": "1.3", "margin": "1.5rem 0 0.5rem"},
    "& h2": {"font_size": "var(--font-size-5)"},
    "& h3": {"font_size": "var(--font-size-4)"},
    "& p": {"margin": "0 0 0.9rem"},
    "& ul, & ol": {"margin": "0 0 0.9rem", "padding_left": "1.5rem"},
    "& li": {"margin": "0.2rem 0"},
    "& a": {"color": "var(--accent-11)", "text_decoration": "underline"},
    "& code": {"background": "var(--gray-a3)", "border_radius": "4px", "padding": "0 0.25rem", "font_size": "0.92em"},
    "& pre": {"background": "var(--gray-a3)", "border_radius": "var(--radius-3)", "padding": "0.75rem 1rem", "overflow_x": "auto", "white_space": "pre-wrap"},
    "& pre code": {"background": "transparent", "padding": "0"},
    "& blockquote": {"border_left": "3px solid var(--gray-a6)", "margin": "0 0 0.9rem", "padding_left": "1rem", "color": "var(--gray-11)"},
}


def category_icon(name, size: int = 22) -> rx.Component:
    return rx.match(
        name,
        *[(icon, rx.icon(icon, size=size, aria_hidden="true")) for icon in CATEGORY_ICONS],
        rx.icon("book-open", size=size, aria_hidden="true"),
    )


def lang_badge(locale) -> rx.Component:
    # An article in the other language says so before the reader opens it.
    return rx.cond(
        locale != S.locale,
        rx.badge(rx.cond(locale == "en", "English", "Español"), variant="outline", color_scheme="gray", size="1"),
    )


def article_row(a: ArticleLink) -> rx.Component:
    return rx.el.li(
        rx.link(
            rx.hstack(
                rx.icon("file-text", size=16, color=rx.color("accent", 11), aria_hidden="true", flex_shrink="0"),
                rx.text(a.title, size="2", weight="medium"),
                lang_badge(a.locale),
                spacing="2",
                align="center",
            ),
            href=a.href,
            underline="hover",
        ),
        list_style="none",
        padding_y="0.4rem",
    )
