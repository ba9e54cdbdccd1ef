from __future__ import annotations

import reflex as rx
from pydantic import BaseModel

from helpdesk.domain.accounts import Role, User
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts
from helpdesk.services.errors import ServiceError
from helpdesk.web.pages.guard import GuardedState


class UserRow(BaseModel):
    id: int
    name: str
    email: str
    role: str


class AdminState(GuardedState):
    users: list[UserRow] = []
    user_query: str = ""

    def _may_enter(self, user: User) -> bool:
        return user.role == Role.ADMIN.value

    def _load_users(self, actor: User) -> None:
        with session_scope() as s:
            rows = accounts.list_users(s, actor, query=self.user_query, limit=50)
            self.users = [UserRow(id=u.id, name=u.name, email=u.email, role=u.role) for u in rows]

    @rx.event
    def load(self):
        actor, redirect = self._enter()
        if actor is not None:
            self._load_users(actor)
        return redirect

    @rx.event
    def search_users(self, query: str):
        actor = self._allowed_actor()
        if actor is None:
            return
        self.user_query = str(query)[:100]
        self._load_users(actor)

    @rx.event
    def change_role(self, user_id: int, role: str):
        actor = self._allowed_actor()
        if actor is None:
            return
        try:
            with session_scope() as s:
                accounts.set_role(s, actor, int(user_id), Role(role))
        except (ServiceError, ValueError) as err:
            msg = self._error_text(err) if isinstance(err, ServiceError) else self._tr("errors.form_invalid")
            return rx.toast.error(msg)
        self._load_users(actor)
        return rx.toast.success(self._tr("admin.role_saved"))
