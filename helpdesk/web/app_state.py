"""The root state every page shares: who is signed in (display only) and the reader's language.

Identity is never trusted from here: handlers call `self._actor()`, which resolves the browser's
session token against the server-side sessions table on every call.
"""

from __future__ import annotations

from typing import Optional

import reflex as rx

from helpdesk import i18n
from helpdesk.domain.accounts import User
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts
from helpdesk.services.errors import ServiceError
from helpdesk.web.access import rule

SESSION_STORAGE_KEY = "hd_session"
LOCALE_STORAGE_KEY = "hd_locale"


class AppState(rx.State):
    # Client-side storage: the opaque session token (only its hash is stored server-side).
    token: str = rx.LocalStorage("", name=SESSION_STORAGE_KEY, sync=True)
    locale_pref: str = rx.LocalStorage("", name=LOCALE_STORAGE_KEY, sync=True)

    locale: str = i18n.DEFAULT_LOCALE
    t: dict[str, str] = i18n.catalog(i18n.DEFAULT_LOCALE)

    # What the header shows. Never used for decisions.
    user_name: str = ""
    user_role: str = ""
    user_is_org_admin: bool = False
    identity_loaded: bool = False

    @rx.var
    def signed_in(self) -> bool:
        return self.user_role != ""

    @rx.var
    def is_staff(self) -> bool:
        return self.user_role in ("agent", "admin")

    @rx.var
    def is_admin(self) -> bool:
        return self.user_role == "admin"

    # ------------------------------------------------------------ helpers for subclasses

    def _actor(self) -> Optional[User]:
        with session_scope() as s:
            return accounts.user_for_token(s, self.token)

    def _tr(self, key: str, **params: object) -> str:
        return i18n.translate(key, self.locale, **params)

    def _error_text(self, err: ServiceError) -> str:
        return self._tr(err.code, **err.params)

    def _client_ip(self) -> str:
        return (self.router.session.client_ip or "")[:64]

    def _apply_locale(self, locale: str) -> None:
        locale = i18n.normalize_locale(locale)
        # Assigning marks the var dirty even when equal, and `t` is ~30 KB of JSON: every page
        # load (load_app) would send the whole catalog to the browser a second time.
        if locale != self.locale:
            self.locale = locale
        # (Reflex hands back a proxy, not the catalog itself: compare by locale.)
        if getattr(self.t, "locale", None) != locale:
            self.t = i18n.catalog(locale)

    def _refresh_identity(self) -> Optional[User]:
        user = self._actor()
        self.user_name = user.name if user else ""
        self.user_role = user.role if user else ""
        self.user_is_org_admin = bool(user and user.is_org_admin)
        self.identity_loaded = True
        return user

    # ------------------------------------------------------------ events

    def _load_app(self):
        # Spanish unless this browser chose English with the switch: our users are Spanish-first.
        self._apply_locale(self.locale_pref or i18n.DEFAULT_LOCALE)
        self._refresh_identity()
        return rx.call_script(f"document.documentElement.lang = '{self.locale}'")

    @rule("public")
    @rx.event
    def load_app(self):
        """First handler of every page: language and who is signed in."""
        return self._load_app()

    @rule("public")
    @rx.event
    def toggle_locale(self):
        new = "en" if self.locale == "es" else "es"
        self._apply_locale(new)
        self.locale_pref = new
        user = self._actor()
        if user is not None:
            with session_scope() as s:
                row = s.get(User, user.id)
                row.locale = new
        from helpdesk.web import relocalize

        events = [rx.call_script(f"document.documentElement.lang = '{new}'")]
        events += [page_state.relocalize for page_state in relocalize.states_for(self.router.page.path)]
        return events
