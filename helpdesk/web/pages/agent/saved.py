"""«Mis vistas» on the queue: an agent saves the current filters, search and sort under a name,
opens them again from a list above the queue (links to /agent?<query>), renames or deletes them.

services/saved_views does the work and picks the views among the caller's own only; the page
sends a name and a view id, never a query (the query saved is the one this State holds) nor a
user id (the caller comes from the session).
"""

from __future__ import annotations

from urllib.parse import parse_qs

import reflex as rx
from pydantic import BaseModel

from helpdesk.infra.db import session_scope
from helpdesk.services import saved_views
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.web import routes
from helpdesk.web.access import rule
from helpdesk.web.components.ui import T, tid

MAX_TYPED = 200  # longer input is cut; the service still answers "too long" for it


class SavedViewItem(BaseModel):
    id: int
    name: str
    query: str
    href: str


class SavedViewsMixin(rx.State, mixin=True):
    saved: list[SavedViewItem] = []
    view_dialog_open: bool = False
    view_dialog_renaming: bool = False
    view_name_draft: str = ""  # what was typed, kept when the name is refused
    view_name_error: str = ""
    delete_dialog_open: bool = False
    delete_name: str = ""
    saved_notice: str = ""  # the last change, read out by screen readers (role=status)
    # New on every change of settings from outside (URL, a view): the search box remounts and
    # shows that text. Random rather than a counter: the page's load resets the State (guard).
    search_key: str = ""
    _renaming_id: int = 0
    _deleting_id: int = 0

    def _load_saved(self, actor) -> None:
        with session_scope() as s:
            items = saved_views.list_views(s, actor)
        self.saved = [
            SavedViewItem(id=v.id, name=v.name, query=v.query, href=f"{routes.AGENT}?{v.query}" if v.query else routes.AGENT)
            for v in items
        ]

    @rule("staff")
    @rx.event
    def start_save_view(self):
        if self._allowed_actor() is None:
            return
        self.view_dialog_renaming, self._renaming_id = False, 0
        self.view_name_draft, self.view_name_error, self.view_dialog_open = "", "", True

    @rule("staff", why="services/saved_views finds the view among the caller's own only")
    @rx.event
    def start_rename_view(self, view_id: int):
        actor = self._allowed_actor()
        if actor is None:
            return
        try:
            with session_scope() as s:
                item = saved_views.get_view(s, actor, view_id)
        except ServiceError as err:
            return rx.toast.error(self._error_text(err))
        self.view_dialog_renaming, self._renaming_id = True, item.id
        self.view_name_draft, self.view_name_error, self.view_dialog_open = item.name, "", True

    @rule("staff")
    @rx.event
    def set_view_dialog_open(self, is_open: bool):
        self.view_dialog_open = bool(is_open) and self._allowed_actor() is not None
        self.view_name_error = ""

    @rule("staff", why="the query saved is the one this State holds; the service normalizes it again")
    @rx.event
    def submit_view_name(self, form: dict):
        actor = self._allowed_actor()
        if actor is None:
            return
        name = str((form or {}).get("name", ""))[:MAX_TYPED]
        self.view_name_draft = name
        try:
            with session_scope() as s:
                if self.view_dialog_renaming:
                    item = saved_views.rename(s, actor, self._renaming_id, name)
                else:
                    item = saved_views.save(s, actor, name, self.current_query)
        except ValidationError as err:
            self.view_name_error = self._tr(err.errors.get("name", err.code))
            return
        except ServiceError as err:
            self.view_name_error = self._error_text(err)
            return
        done = "saved_views.renamed" if self.view_dialog_renaming else "saved_views.saved"
        self.saved_notice = self._tr(done, name=item.name)
        self.view_dialog_open, self.view_name_error, self.view_name_draft = False, "", ""
        self._load_saved(actor)

    @rule("staff", why="services/saved_views finds the view among the caller's own only")
    @rx.event
    def ask_delete_view(self, view_id: int):
        actor = self._allowed_actor()
        if actor is None:
            return
        try:
            with session_scope() as s:
                item = saved_views.get_view(s, actor, view_id)
        except ServiceError as err:
            return rx.toast.error(self._error_text(err))
        self._deleting_id, self.delete_name, self.delete_dialog_open = item.id, item.name, True

    @rule("staff")
    @rx.event
    def set_delete_dialog_open(self, is_open: bool):
        self.delete_dialog_open = bool(is_open) and self._deleting_id > 0 and self._allowed_actor() is not None

    @rule("staff", why="deletes only the view picked by ask_delete_view, again among the caller's own")
    @rx.event
    def confirm_delete_view(self):
        actor = self._allowed_actor()
        self.delete_dialog_open = False
        if actor is None or not self._deleting_id:
            return
        try:
            with session_scope() as s:
                gone = saved_views.delete(s, actor, self._deleting_id)
        except ServiceError as err:
            return rx.toast.error(self._error_text(err))
        finally:
            self._deleting_id = 0
        self.saved_notice = self._tr("saved_views.deleted", name=gone.name)
        self._load_saved(actor)

    @rule("staff", why="services/saved_views finds the view among the caller's own only")
    @rx.event
    def open_saved_view(self, view_id: int):
        """The link navigates too; this also applies the view when the router sees no change
        (the address bar is rewritten by replaceState, which the router does not follow)."""
        actor = self._allowed_actor()
        if actor is None:
            return
        try:
            with session_scope() as s:
                item = saved_views.get_view(s, actor, view_id)
        except ServiceError as err:
            return rx.toast.error(self._error_text(err))
        self._apply_settings(parse_qs(item.query))
        return self._changed()


# ---------------------------------------------------------------- components


def _view_link(S, v: SavedViewItem) -> rx.Component:
    active = S.current_query == v.query
    return rx.hstack(
        rx.link(
            rx.icon("bookmark", size=14, aria_hidden="true"),
            rx.text(v.name, size="2", weight="medium", white_space="nowrap"),
            href=v.href,
            on_click=S.open_saved_view(v.id),
            underline="none",
            display="inline-flex",
            align_items="center",
            gap="0.35rem",
            padding="0.3rem 0.4rem 0.3rem 0.7rem",
            # The chip sets the colour; the link's own hover colour (accent 8) is too pale to read.
            color="inherit",
            _hover={"color": "inherit", "text_decoration": "underline"},
            aria_current=rx.cond(active, "page", "false"),
            custom_attrs=tid("saved-view"),
        ),
        rx.dropdown_menu.root(
            rx.dropdown_menu.trigger(
                rx.icon_button(
                    rx.icon("ellipsis-vertical", size=14, aria_hidden="true"),
                    variant="ghost",
                    color_scheme="gray",
                    size="1",
                    aria_label=T["saved_views.menu_label"].replace("{name}", v.name),
                    custom_attrs=tid("view-menu"),
                ),
            ),
            rx.dropdown_menu.content(
                rx.dropdown_menu.item(rx.icon("pencil", size=14, aria_hidden="true"), T["saved_views.rename"],
                                      on_select=S.start_rename_view(v.id), custom_attrs=tid("view-rename")),
                rx.dropdown_menu.item(rx.icon("trash-2", size=14, aria_hidden="true"), T["saved_views.delete"], color="red",
                                      on_select=S.ask_delete_view(v.id), custom_attrs=tid("view-delete")),
            ),
            # Not modal: a dialog opened from a modal menu leaves the page unclickable (Radix).
            modal=False,
        ),
        spacing="0",
        align="center",
        flex_shrink="0",
        padding_right="0.3rem",
        border_radius="var(--radius-5)",
        color=rx.cond(active, rx.color("accent", 12), rx.color("gray", 12)),
        border=rx.cond(active, f"1px solid {rx.color('accent', 8)}", f"1px solid {rx.color('gray', 6)}"),
        background=rx.cond(active, rx.color("accent", 4), rx.color("gray", 1)),
        custom_attrs={"data-active": rx.cond(active, "true", "false")},
    )


def _name_dialog(S) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.view_dialog_renaming, T["saved_views.rename_title"], T["saved_views.save_title"])),
            rx.dialog.description(T["saved_views.save_hint"], size="2", color_scheme="gray"),
            rx.form(
                rx.vstack(
                    rx.el.label(T["saved_views.name_label"], html_for="view-name-input", class_name="rt-Text rt-r-size-2 rt-r-weight-medium"),
                    rx.input(
                        name="name",
                        id="view-name-input",
                        default_value=S.view_name_draft,
                        auto_focus=True,
                        auto_complete="off",
                        aria_invalid=rx.cond(S.view_name_error != "", "true", "false"),
                        aria_describedby="view-name-error",
                        width="100%",
                        custom_attrs=tid("view-name"),
                    ),
                    rx.text(S.view_name_error, id="view-name-error", color_scheme="red", size="2", role="alert",
                            custom_attrs=tid("field-error-name")),
                    rx.flex(
                        rx.dialog.close(rx.button(T["common.cancel"], type="button", variant="soft", color_scheme="gray")),
                        rx.button(T["common.save"], type="submit", custom_attrs=tid("view-name-submit")),
                        spacing="3",
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.submit_view_name,
                reset_on_submit=False,
            ),
            max_width="26rem",
        ),
        open=S.view_dialog_open,
        on_open_change=S.set_view_dialog_open,
    )


def _delete_dialog(S) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(T["saved_views.delete_title"].replace("{name}", S.delete_name)),
            rx.alert_dialog.description(T["saved_views.delete_body"], size="2"),
            rx.flex(
                rx.alert_dialog.cancel(rx.button(T["common.cancel"], variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(T["saved_views.delete"], color_scheme="red", on_click=S.confirm_delete_view, custom_attrs=tid("view-delete-confirm")),
                ),
                spacing="3",
                justify="end",
                margin_top="1rem",
            ),
            max_width="26rem",
        ),
        open=S.delete_dialog_open,
        on_open_change=S.set_delete_dialog_open,
    )


def saved_views_bar(S) -> rx.Component:
    """The title and the save button, with the views between them on a wide screen; on a phone
    the views take a line of their own below, one row that scrolls sideways."""
    return rx.el.nav(
        rx.flex(
            rx.text(T["saved_views.title"], size="2", weight="bold", id="saved-views-title", white_space="nowrap", order="1"),
            rx.cond(
                S.saved.length() > 0,
                rx.hstack(
                    rx.foreach(S.saved, lambda v: _view_link(S, v)),
                    spacing="2",
                    align="center",
                    flex_wrap=["nowrap", "wrap"],
                    overflow_x=["auto", "visible"],
                    padding_y="2px",
                    order=["3", "2"],
                    flex=["1 1 100%", "1 1 0"],
                    min_width="0",
                    custom_attrs=tid("saved-views"),
                ),
                rx.text(T["saved_views.empty"], size="2", color_scheme="gray", order=["3", "2"], flex=["1 1 100%", "1 1 0"], min_width="0"),
            ),
            rx.button(
                rx.icon("bookmark-plus", size=15, aria_hidden="true"),
                T["saved_views.save"],
                on_click=S.start_save_view,
                variant="soft",
                size="2",
                flex_shrink="0",
                margin_left="auto",
                order=["2", "3"],
                custom_attrs=tid("view-save"),
            ),
            gap="0.5rem 0.75rem",
            wrap="wrap",
            align="center",
            width="100%",
        ),
        rx.box(S.saved_notice, role="status", font_size="var(--font-size-1)", color=rx.color("gray", 11), custom_attrs=tid("saved-views-notice")),
        _name_dialog(S),
        _delete_dialog(S),
        aria_labelledby="saved-views-title",
        width="100%",
    )
