from __future__ import annotations

import reflex as rx

from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, guarded
from helpdesk.web.pages.account.state import AccountState


def account_page() -> rx.Component:
    return shell(guarded(AccountState.access, rx.heading(T["nav.account"], as_="h1")))
