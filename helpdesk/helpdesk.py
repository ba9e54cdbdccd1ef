"""The Reflex app: theme, pages and the HTTP routes served beside them."""

from __future__ import annotations

import logging

import reflex as rx

from helpdesk.web import routes
from helpdesk.web.api import build_api
from helpdesk.web.app_state import AppState
from helpdesk.web.pages.admin.page import admin_page
from helpdesk.web.pages.admin.state import AdminState
from helpdesk.web.pages.agent.page import agent_page
from helpdesk.web.pages.agent.state import AgentQueueState
from helpdesk.web.pages.auth.page import login_page, logout_page, register_page
from helpdesk.web.pages.auth.state import AuthState
from helpdesk.web.pages.home.page import home_page

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")


async def _on_startup() -> None:
    from helpdesk import jobs, startup

    startup.prepare_database()
    jobs.start()


app = rx.App(
    theme=rx.theme(accent_color="teal", gray_color="slate", radius="medium", scaling="100%"),
    stylesheets=["/styles.css"],
    html_lang="es",
    api_transformer=build_api(),
)
app.register_lifespan_task(_on_startup)

TITLE = "Centro de ayuda"


def _page(component, route: str, title: str, on_load=None) -> None:
    handlers = [AppState.load_app]
    if on_load is not None:
        handlers.append(on_load)
    app.add_page(component, route=route, title=f"{title} — {TITLE}" if title else TITLE, on_load=handlers)


_page(home_page, routes.HOME, "")
_page(login_page, routes.LOGIN, "Iniciar sesión", AuthState.open_form)
_page(register_page, routes.REGISTER, "Crear cuenta", AuthState.open_form)
_page(logout_page, routes.LOGOUT, "Cerrar sesión", AuthState.logout)
_page(agent_page, routes.AGENT, "Panel de agentes", AgentQueueState.load)
_page(admin_page, routes.ADMIN, "Administración", AdminState.load)
