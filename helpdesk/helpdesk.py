"""The Reflex app: theme, pages and the HTTP routes served beside them."""

from __future__ import annotations

import reflex as rx

from helpdesk.infra.logging import configure_logging
from helpdesk.infra.reflex_tuning import throttle_disk_state_purge
from helpdesk.web import routes
from helpdesk.web.api import build_api, limit_upload_size
from helpdesk.web.http.headers import security_headers
from helpdesk.web.app_state import AppState
from helpdesk.web.pages.account.page import account_page
from helpdesk.web.pages.account.state import AccountState
from helpdesk.web.pages.admin.page import admin_page
from helpdesk.web.pages.admin.state import AdminState
from helpdesk.web.pages.agent.page import agent_page
from helpdesk.web.pages.agent.state import AgentQueueState
from helpdesk.web.pages.agent_dashboard.page import dashboard_page
from helpdesk.web.pages.agent_dashboard.state import DashboardState
from helpdesk.web.pages.agent_ticket.moves import MovesState
from helpdesk.web.pages.agent_ticket.page import agent_ticket_page
from helpdesk.web.pages.agent_ticket.state import AgentTicketState
from helpdesk.web.pages.auth.page import login_page, logout_page, register_page
from helpdesk.web.pages.auth.state import AuthState
from helpdesk.web.pages.help_center.article_page import article_page, category_page
from helpdesk.web.pages.help_center.page import home_page
from helpdesk.web.pages.help_center.state import ArticleState, CategoryState, HelpCenterState
from helpdesk.web.pages.kb_admin.page import kb_admin_page
from helpdesk.web.pages.kb_admin.state import KbAdminState
from helpdesk.web.pages.my_tickets.page import my_tickets_page
from helpdesk.web.pages.my_tickets.state import MyTicketsState
from helpdesk.web.pages.new_ticket.page import new_ticket_page
from helpdesk.web.pages.new_ticket.state import NewTicketState
from helpdesk.web.pages.not_found.page import not_found_page
from helpdesk.web.pages.ticket.page import ticket_page
from helpdesk.web.pages.ticket.state import TicketState
from helpdesk.web.http.widget import chat_framing
from helpdesk.web.pages.agent_calls.page import calls_page
from helpdesk.web.pages.agent_calls.state import CallsState
from helpdesk.web.pages.chat.page import chat_page
from helpdesk.web.pages.chat.state import ChatState

# One structured line per log record (JSON by default; HELPDESK_LOG_FORMAT=text for key=value).
configure_logging()
throttle_disk_state_purge()


async def _on_startup() -> None:
    from helpdesk import jobs, startup

    startup.prepare_database()
    jobs.register_defaults()
    from helpdesk.services.inbound import runner as inbound_mail

    inbound_mail.start_from_env(jobs.register)
    jobs.start()


app = rx.App(
    theme=rx.theme(accent_color="indigo", gray_color="slate", radius="medium", scaling="100%"),
    stylesheets=["/styles.css"],
    # Reply drafts kept in the tab across reloads and worker failover (assets/drafts.js).
    head_components=[rx.script(src="/drafts.js", defer=True)],
    html_lang="es",
    # chat_framing last = outermost: it owns /chat's frame-ancestors (web/http/widget.py),
    # after security_headers set every other page's.
    api_transformer=[build_api(), limit_upload_size, security_headers, chat_framing],
)
app.register_lifespan_task(_on_startup)

SITE = "Centro de ayuda"


def _page(component, route: str, title: str, on_load=None, *, loads_app: bool = False) -> None:
    # loads_app: the page's handler runs AppState's part itself (see HelpCenterState.load_home).
    handlers = [] if loads_app else [AppState.load_app]
    if on_load is not None:
        handlers.extend(on_load if isinstance(on_load, list) else [on_load])
    app.add_page(component, route=route, title=f"{title} — {SITE}" if title else SITE, on_load=handlers)


# Help center (public)
_page(home_page, routes.HOME, "", HelpCenterState.load_home, loads_app=True)
_page(article_page, routes.ARTICLE, "Artículo", ArticleState.load)
_page(category_page, routes.CATEGORY, "Categoría", CategoryState.load)
# Accounts
_page(login_page, routes.LOGIN, "Iniciar sesión", AuthState.open_form)
_page(register_page, routes.REGISTER, "Crear cuenta", AuthState.open_form)
_page(logout_page, routes.LOGOUT, "Cerrar sesión", AuthState.logout)
# Customers
_page(new_ticket_page, routes.NEW_TICKET, "Nuevo ticket", NewTicketState.load)
_page(account_page, routes.ACCOUNT, "Mi cuenta", AccountState.load)
_page(my_tickets_page, routes.MY_TICKETS, "Mis tickets", MyTicketsState.load)
_page(ticket_page, routes.TICKET, "Ticket", TicketState.load)
# Agents and admins
_page(agent_page, routes.AGENT, "Panel de agentes", AgentQueueState.load)
_page(agent_ticket_page, routes.AGENT_TICKET, "Ticket", [AgentTicketState.load, MovesState.load])
_page(dashboard_page, routes.AGENT_DASHBOARD, "Indicadores", DashboardState.load)
_page(kb_admin_page, routes.KB_ADMIN, "Artículos", KbAdminState.load)
_page(admin_page, routes.ADMIN, "Administración", AdminState.load)
# Trusted accounts (issue 13)
from helpdesk.web.pages.trust.page import forgot_page, reset_page, verify_page  # noqa: E402
from helpdesk.web.pages.trust.state import ForgotState, ResetState, VerifyState  # noqa: E402

_page(verify_page, routes.VERIFY, "Confirmar dirección", VerifyState.load)
_page(verify_page, routes.VERIFY_QUERY, "Confirmar dirección", VerifyState.load)
_page(forgot_page, routes.FORGOT, "Recuperar el acceso", ForgotState.open)
_page(reset_page, routes.RESET, "Contraseña nueva", ResetState.load)
_page(reset_page, routes.RESET_QUERY, "Contraseña nueva", ResetState.load)
from helpdesk.web.pages.trust.email_links import (  # noqa: E402
    EmailConfirmState, EmailUndoState, email_confirm_page, email_undo_page,
)

_page(email_confirm_page, routes.EMAIL_CONFIRM, "Cambiar la dirección", EmailConfirmState.load)
_page(email_undo_page, routes.EMAIL_UNDO, "Deshacer el cambio de dirección", EmailUndoState.open)
# Chat intake (issue 18)
_page(chat_page, routes.CHAT, "Chat", ChatState.load_page, loads_app=True)
_page(calls_page, routes.AGENT_CALLS, "Llamadas", CallsState.load)
# Unknown addresses: a page in the visitor's language (Reflex serves it for every unmatched path).
_page(not_found_page, "404", "Página no encontrada")
