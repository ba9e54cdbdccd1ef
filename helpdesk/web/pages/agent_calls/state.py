"""Agents' "Llamadas" view: pending call-backs with their 5-minute target (services/callbacks)."""

from __future__ import annotations

import asyncio

import reflex as rx
from pydantic import BaseModel

from helpdesk import i18n
from helpdesk.domain.accounts import User
from helpdesk.infra.db import session_scope
from helpdesk.services import callbacks, policy
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.services.policy import Action
from helpdesk.web.access import rule
from helpdesk.web.pages.guard import GuardedState

REFRESH_S = 15


class CallRow(BaseModel):
    id: int
    ticket: str
    number: str
    subject: str
    phone: str
    requester: str
    status: str
    due: str
    due_relative: str
    state: str
    state_label: str
    taken_by: str
    mine: bool


class CallsState(GuardedState):
    calls: list[CallRow] = []
    error: str = ""
    _me: int = 0
    _ticking: bool = False
    _outcomes: dict[int, str] = {}

    def _may_enter(self, user: User) -> bool:
        return policy.user_may(user, Action.STAFF_AREA)

    def _reload(self, actor: User) -> None:
        with session_scope() as s:
            rows = callbacks.queue(s, actor)
        loc = self.locale
        me = actor.name
        self.calls = [
            CallRow(id=r.id, ticket=f"#{r.ticket_number}", number=str(r.ticket_number), subject=r.subject,
                    phone=r.phone, requester=r.requester, status=r.status, due=i18n.full_datetime(r.due_at, loc),
                    due_relative=i18n.relative_time(r.due_at, loc), state=r.state,
                    state_label=i18n.translate(f"calls.state_{r.state}", loc), taken_by=r.taken_by,
                    mine=r.status == "taken" and r.taken_by == me)
            for r in rows
        ]

    @rule("staff")
    @rx.event
    def load(self):
        actor, redirect = self._enter()
        if actor is not None:
            self._reload(actor)
            if not self._ticking:
                self._ticking = True
                return [redirect, CallsState.tick] if redirect else CallsState.tick
        return redirect

    @rule("staff")
    @rx.event(background=True)
    async def tick(self):
        """Refresh the list (and the targets' states) while the page is open."""
        for _ in range(240):  # an hour at most per page load
            # Checked before each wait, so a forged call from a non-agent ends at once.
            async with self:
                actor = self._allowed_actor()
                if actor is None or self.router.page.path != "/agent/calls":
                    self._ticking = False
                    return
            await asyncio.sleep(REFRESH_S)
            async with self:
                actor = self._allowed_actor()
                if actor is None or self.router.page.path != "/agent/calls":
                    self._ticking = False
                    return
                self._reload(actor)
        async with self:
            self._ticking = False

    @rule("staff")
    @rx.event
    def take(self, call_id: int):
        if isinstance(call_id, int):
            self._run(lambda s, actor: callbacks.take(s, actor, call_id))

    @rule("staff")
    @rx.event
    def set_outcome(self, call_id: int, text: str):
        if isinstance(call_id, int) and isinstance(text, str):
            self._outcomes = {**self._outcomes, call_id: text[:2000]}

    @rule("staff")
    @rx.event
    def finish(self, call_id: int, result: str):
        if not isinstance(call_id, int):
            return
        outcome = self._outcomes.get(call_id, "")
        if self._run(lambda s, actor: callbacks.finish(s, actor, call_id, str(result), outcome)):
            self._outcomes = {k: v for k, v in self._outcomes.items() if k != call_id}
            return rx.toast.success(self._tr("calls.saved"))

    def _run(self, fn) -> bool:
        actor = self._allowed_actor()
        if actor is None:
            self.access = "denied"
            self.calls = []
            return False
        self.error = ""
        try:
            with session_scope() as s:
                fn(s, actor)
        except ValidationError as err:
            self.error = " ".join(self._tr(k) for k in err.errors.values())
            return False
        except (ServiceError, ValueError) as err:
            self.error = self._error_text(err) if isinstance(err, ServiceError) else ""
            return False
        finally:
            self._reload(actor)
        return True
