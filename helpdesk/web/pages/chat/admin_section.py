"""/admin section "Chat de ayuda": the priority questions per service and guests' retention.

Its own State (admins only, re-checked in every handler), included with one line in the
admin page.
"""

from __future__ import annotations

import reflex as rx
from pydantic import BaseModel

from helpdesk.domain.accounts import User
from helpdesk.infra.db import session_scope
from helpdesk.services import chat_config, new_ticket, policy
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.services.policy import Action
from helpdesk.web.access import rule
from helpdesk.web.app_state import AppState
from helpdesk.web.components.ui import T, tid

ALL = "all"


class QuestionRow(BaseModel):
    id: int
    text: str
    service: str
    raises_to: str


class ServiceOption(BaseModel):
    value: str
    label: str


class ChatAdminState(AppState):
    ready: bool = False
    questions: list[QuestionRow] = []
    services: list[ServiceOption] = []
    retention: str = ""
    error: str = ""
    notice: str = ""

    def _admin(self):
        user = self._actor()
        return user if policy.user_may(user, Action.ADMIN_SETTINGS) else None

    def _reload(self, s, actor: User) -> None:
        names = {c.id: c.name for c in new_ticket.service_choices(s, self.locale)}
        self.services = [ServiceOption(value=ALL, label=self._tr("chat_admin.all_services"))] + [
            ServiceOption(value=str(i), label=n) for i, n in names.items()
        ]
        self.questions = [
            QuestionRow(id=q.id, text=(q.text_en or q.text_es) if self.locale == "en" else q.text_es,
                        service=names.get(q.service_id, "") if q.service_id else self._tr("chat_admin.all_services"),
                        raises_to=self._tr(f"priority.{q.raises_to}"))
            for q in chat_config.list_questions(s, actor) if q.is_active
        ]
        self.retention = str(chat_config.guest_retention_days(s))
        self.ready = True

    @rule("admin")
    @rx.event
    def load_section(self):
        actor = self._admin()
        self.ready = False
        if actor is None:
            return
        with session_scope() as s:
            self._reload(s, actor)

    def _run(self, fn) -> bool:
        actor = self._admin()
        if actor is None:
            self.ready, self.questions = False, []
            return False
        self.error = self.notice = ""
        try:
            with session_scope() as s:
                fn(s, actor)
                self._reload(s, actor)
        except ValidationError as err:
            self.error = " ".join(self._tr(k) for k in err.errors.values())
            return False
        except ServiceError as err:
            self.error = self._error_text(err)
            return False
        self.notice = self._tr("chat_admin.saved")
        return True

    @rule("admin")
    @rx.event
    def add(self, form: dict):
        form = form if isinstance(form, dict) else {}
        service = str(form.get("service", ALL))
        service_id = new_ticket.parse_id(service) if service != ALL else None
        raises = str(form.get("raises_to", "high"))
        self._run(lambda s, a: chat_config.add_question(
            s, a, text_es=str(form.get("text_es", ""))[:400], text_en=str(form.get("text_en", ""))[:400],
            service_id=service_id, raises_to=raises))

    @rule("admin")
    @rx.event
    def remove(self, question_id: int):
        if isinstance(question_id, int):
            self._run(lambda s, a: chat_config.remove_question(s, a, question_id))

    @rule("admin")
    @rx.event
    def save_retention(self, form: dict):
        days = form.get("retention", "") if isinstance(form, dict) else ""
        self._run(lambda s, a: chat_config.set_guest_retention_days(s, a, days))


S = ChatAdminState


def _select(name: str, items, label, default: str) -> rx.Component:
    return rx.el.select(items, name=name, default_value=default, aria_label=label,
                        style={"padding": "0.35rem", "border_radius": "6px", "border": "1px solid var(--gray-a7)",
                               "background": "var(--color-panel-solid)", "color": "var(--gray-12)"})


def chat_admin_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T["chat_admin.title"], size="5", as_="h2"),
            rx.text(T["chat_admin.intro"], size="2", color=rx.color("gray", 11)),
            rx.cond(S.error != "", rx.callout(S.error, color_scheme="red", role="alert", width="100%",
                                              custom_attrs=tid("form-error"))),
            rx.cond(S.notice != "", rx.text(S.notice, size="2", color_scheme="green", role="status")),
            rx.cond(
                S.questions.length() > 0,
                rx.vstack(
                    rx.foreach(S.questions, lambda q: rx.hstack(
                        rx.text(q.text, size="2", flex="1"),
                        rx.badge(q.service, variant="soft"),
                        rx.badge(q.raises_to, color_scheme="orange"),
                        rx.button(T["chat_admin.remove"], size="1", variant="ghost", color_scheme="red",
                                  on_click=S.remove(q.id), custom_attrs=tid("chat-question-remove")),
                        width="100%", align="center", wrap="wrap", custom_attrs=tid("chat-question"),
                    )),
                    width="100%",
                ),
                rx.text(T["chat_admin.empty"], size="2", color=rx.color("gray", 11)),
            ),
            rx.form(
                rx.vstack(
                    rx.input(name="text_es", placeholder=T["chat_admin.question_es"], aria_label=T["chat_admin.question_es"],
                             width="100%", custom_attrs=tid("chat-question-es")),
                    rx.input(name="text_en", placeholder=T["chat_admin.question_en"], aria_label=T["chat_admin.question_en"],
                             width="100%", custom_attrs=tid("chat-question-en")),
                    rx.hstack(
                        _select("service", rx.foreach(S.services, lambda o: rx.el.option(o.label, value=o.value)),
                                T["chat_admin.service"], ALL),
                        _select("raises_to", [rx.el.option(T["priority.high"], value="high"),
                                              rx.el.option(T["priority.medium"], value="medium")],
                                T["chat_admin.raises_to"], "high"),
                        rx.button(T["chat_admin.add"], type="submit", size="2", custom_attrs=tid("chat-question-add")),
                        wrap="wrap", align="center",
                    ),
                    width="100%",
                ),
                on_submit=S.add,
                reset_on_submit=True,
                width="100%",
            ),
            rx.form(
                rx.hstack(
                    rx.el.label(T["chat_admin.retention"], html_for="chat-retention", style={"font_size": "14px"}),
                    rx.input(id="chat-retention", name="retention", type="number", min="1", max="3650",
                             default_value=S.retention, key=S.retention, width="6rem",
                             custom_attrs=tid("chat-retention")),
                    rx.button(T["chat_admin.retention_save"], type="submit", size="2", variant="soft"),
                    align="center", wrap="wrap",
                ),
                on_submit=S.save_retention,
                width="100%",
            ),
            width="100%",
            spacing="3",
        ),
        width="100%",
        on_mount=S.load_section,
        custom_attrs=tid("chat-admin"),
    )
