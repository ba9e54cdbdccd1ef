"""The agent ticket page's "merge into another ticket" card (services/merge does the work).

Its own State: the source ticket is the page's route parameter, the target what the agent types;
both come from the browser, so the service re-checks the caller (staff) and that they may see
both tickets. Two steps: check and ask for confirmation, then merge and open the target.
"""

from __future__ import annotations

import reflex as rx

from helpdesk.infra.db import session_scope
from helpdesk.services import merge, policy
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.services.policy import Action
from helpdesk.web.access import rule
from helpdesk.web.components.ui import T, field_error, tid
from helpdesk.web.pages.guard import GuardedState


class MergeState(GuardedState):
    merge_target: str = ""
    merge_error: str = ""
    confirm_open: bool = False
    confirm_text: str = ""
    _source: int = 0
    _target: int = 0

    def _may_enter(self, user) -> bool:
        return policy.user_may(user, Action.STAFF_AREA)

    def _source_number(self) -> int | None:
        return merge.parse_number(self.router.page.params.get("id", ""))

    @rule("staff")
    @rx.event
    def set_merge_target(self, text: str):
        self.merge_target = str(text or "")[:20]
        self.merge_error = ""

    @rule("staff")
    @rx.event
    def ask_merge(self, form: dict):
        self.confirm_open, self._source, self._target = False, 0, 0
        actor = self._allowed_actor()
        if actor is None:
            return
        raw = (form or {}).get("merge_target", self.merge_target) if isinstance(form, dict) else self.merge_target
        self.merge_target = str(raw or "")[:20]
        source = self._source_number()
        try:
            with session_scope() as s:
                src, tgt = merge.check(s, actor, source, self.merge_target)
                self._source, self._target = src.number, tgt.number
        except ValidationError as err:
            self.merge_error = self._tr(next(iter(err.errors.values())))
            return
        except ServiceError as err:
            self.merge_error = self._error_text(err)
            return
        self.merge_error = ""
        self.confirm_text = self._tr("merge.confirm", source=self._source, target=self._target)
        self.confirm_open = True

    @rule("staff")
    @rx.event
    def cancel_merge(self):
        self.confirm_open, self._source, self._target = False, 0, 0

    @rule("staff", why="services/merge re-checks the role and both tickets")
    @rx.event
    def confirm_merge(self):
        actor = self._allowed_actor()
        source, target = self._source, self._target
        self.confirm_open, self._source, self._target = False, 0, 0
        # The page may have moved on since the question: merge only what was confirmed.
        if actor is None or not source or not target or source != self._source_number():
            return
        try:
            with session_scope() as s:
                merge.merge(s, actor, source, target)
        except ValidationError as err:
            self.merge_error = self._tr(next(iter(err.errors.values())))
            return
        except ServiceError as err:
            self.merge_error = self._error_text(err)
            return
        self.merge_target = ""
        return [rx.toast.success(self._tr("merge.done", target=target)), rx.redirect(f"/agent/tickets/{target}")]


S = MergeState


def merge_card(closed) -> rx.Component:
    """`closed`: the page's var saying the ticket is closed (nothing to merge then)."""
    return rx.cond(
        closed,
        rx.fragment(),
        rx.box(
            rx.form(
                rx.vstack(
                    rx.heading(T["merge.title"], size="3", as_="h2"),
                    rx.text(T["merge.hint"], size="1", color_scheme="gray"),
                    rx.el.label(T["merge.target"], html_for="merge-target", class_name="rt-Text rt-r-size-1 rt-r-weight-medium"),
                    rx.input(
                        rx.input.slot(rx.text("#", color_scheme="gray")),
                        id="merge-target",
                        name="merge_target",
                        value=S.merge_target,
                        on_change=S.set_merge_target,
                        placeholder="1042",
                        input_mode="numeric",
                        autocomplete="off",
                        width="100%",
                        aria_invalid=rx.cond(S.merge_error != "", "true", "false"),
                        aria_describedby="merge_target-error",
                        custom_attrs=tid("merge-target"),
                    ),
                    field_error("merge_target", S.merge_error),
                    rx.button(rx.icon("merge", size=14), T["merge.submit"], type="submit", variant="soft", size="2", width="100%",
                              custom_attrs=tid("merge-submit")),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.ask_merge,
                width="100%",
            ),
            rx.alert_dialog.root(
                rx.alert_dialog.content(
                    rx.alert_dialog.title(T["merge.title"]),
                    rx.alert_dialog.description(S.confirm_text, custom_attrs=tid("merge-confirm-text")),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button(T["merge.cancel"], variant="soft", color_scheme="gray", on_click=S.cancel_merge,
                                                         custom_attrs=tid("merge-cancel"))),
                        rx.alert_dialog.action(rx.button(T["merge.confirm_yes"], color_scheme="red", on_click=S.confirm_merge,
                                                         custom_attrs=tid("merge-confirm"))),
                        justify="end",
                        spacing="2",
                        padding_top="1rem",
                    ),
                    max_width="28rem",
                    on_escape_key_down=S.cancel_merge,
                ),
                open=S.confirm_open,
            ),
            class_name="hd-card",
            padding="1rem",
            width="100%",
            custom_attrs=tid("merge-card"),
        ),
    )
