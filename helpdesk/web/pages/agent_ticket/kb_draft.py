"""The agent ticket page's "draft an article from this ticket" card, for solved and closed
tickets (services/kb_drafts does the work and scrubs the customer's data).

Its own State (the page's state.py is near its size limit): the ticket is the page's route
parameter, which comes from the browser, so the service re-checks the caller (staff), that they
may see the ticket and that it is solved or closed.
"""

from __future__ import annotations

import reflex as rx

from helpdesk.infra.db import session_scope
from helpdesk.services import kb_drafts, policy
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.web.access import rule
from helpdesk.web.components.ui import T, tid
from helpdesk.web.pages.guard import GuardedState


class KbDraftState(GuardedState):
    draft_href: str = ""  # the draft in the editor, once made
    draft_error: str = ""
    drafting: bool = False
    _for: str = ""  # the ticket the link belongs to

    def _may_enter(self, user) -> bool:
        return policy.user_may(user, policy.Action.STAFF_AREA)

    def _ticket(self) -> str:
        return str(self.router.page.params.get("id", ""))[:20]

    @rule("staff")
    @rx.event
    def forget_draft(self):
        """On mount: a link shown for another ticket in this tab must not linger."""
        if self._for != self._ticket():
            self.draft_href, self.draft_error, self.drafting, self._for = "", "", False, ""

    @rule("staff", why="services/kb_drafts re-checks the role")
    @rx.event
    def draft_article(self):
        actor = self._allowed_actor()
        if actor is None or self.drafting:
            return
        number = self._ticket()
        self.drafting, self.draft_error, self.draft_href = True, "", ""
        yield
        try:
            with session_scope() as s:
                draft = kb_drafts.draft_from_ticket(s, actor, number)
        except ValidationError as err:
            self.draft_error = self._tr(next(iter(err.errors.values())))
            return
        except ServiceError as err:
            self.draft_error = self._error_text(err)
            return
        finally:
            self.drafting = False
        self._for = number
        self.draft_href = f"/agent/articles?edit={draft.article_id}"
        yield rx.toast.success(self._tr("kbdraft.created" if draft.created else "kbdraft.existing"))


D = KbDraftState


def kb_draft_card(solved) -> rx.Component:
    """`solved`: the page's var saying the ticket is solved or closed (only then is there an
    answer worth an article)."""
    return rx.cond(
        solved,
        rx.vstack(
            rx.heading(T["kbdraft.title"], size="3", as_="h2"),
            rx.text(T["kbdraft.hint"], size="1", color=rx.color("gray", 11)),
            rx.button(rx.icon("file-pen-line", size=14, aria_hidden="true"), T["kbdraft.button"], variant="soft",
                      size="2", width="100%", on_click=D.draft_article, loading=D.drafting,
                      custom_attrs=tid("kb-draft-from-ticket")),
            rx.cond(D.draft_error != "", rx.text(D.draft_error, size="2", color_scheme="red", role="alert")),
            rx.cond(
                D.draft_href != "",
                rx.link(rx.icon("external-link", size=14, aria_hidden="true"), T["kbdraft.open"],
                        href=D.draft_href, size="2", weight="medium", display="inline-flex", align_items="center",
                        gap="0.35rem", custom_attrs=tid("kb-draft-link")),
            ),
            class_name="hd-card",
            padding="1rem",
            width="100%",
            spacing="2",
            on_mount=D.forget_draft,
        ),
    )
