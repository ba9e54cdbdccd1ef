"""Every route of the app in one place (see CONTRACT.md)."""

HOME = "/"
ARTICLE = "/articles/[slug]"
CATEGORY = "/categories/[slug]"
LOGIN = "/login"
REGISTER = "/register"
LOGOUT = "/logout"
NEW_TICKET = "/tickets/new"
MY_TICKETS = "/tickets"
TICKET = "/tickets/[id]"
AGENT = "/agent"
AGENT_TICKET = "/agent/tickets/[id]"
AGENT_DASHBOARD = "/agent/dashboard"
KB_ADMIN = "/agent/articles"
ADMIN = "/admin"
ACCOUNT = "/account"
CHAT = "/chat"
AGENT_CALLS = "/agent/calls"


def safe_next(target: str | None, default: str = HOME) -> str:
    """Only same-site paths are accepted as a post-login destination (no open redirect)."""
    target = (target or "").strip()
    if target.startswith("/") and not target.startswith("//") and "\\" not in target and "\n" not in target:
        return target
    return default

# Trusted accounts (issue 13): mailed links and password recovery.
VERIFY = "/verify/[token]"
VERIFY_QUERY = "/verify"
FORGOT = "/forgot"
RESET = "/reset/[token]"
RESET_QUERY = "/reset"
# Changing the account's address: the link to the new address, the undo link to the old one
# (paths also built in services/email_change, which must not import the web layer).
EMAIL_CONFIRM = "/account/email/[token]"
EMAIL_UNDO = "/account/email-undo/[token]"
