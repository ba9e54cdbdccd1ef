"""Every event handler of every State, called by attackers with other people's IDs.

Any browser can call any public handler of any State with any arguments over `/_event`
(REFLEX_NOTES "Security model"), so this test does not trust the UI: it walks the whole State
tree, demands the access rule each handler declares beside it (`@rule(...)`, helpdesk/web/access.py;
a new handler without one fails the build), and calls each one as an anonymous browser, a customer
of another organization and a colleague of the victim who is not the organization's admin, with
the IDs of tickets, messages, attachments and users they do not own. Afterwards nothing foreign
may be in the state tree, and nothing that is not the attacker's own may have changed in the
database.
"""

from __future__ import annotations

import asyncio
import inspect
import io

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlalchemy import text
from starlette.datastructures import UploadFile

import helpdesk.helpdesk  # noqa: F401 - registers every page and State class
from helpdesk.domain.accounts import User
from helpdesk.infra.db import get_engine, session_scope
from helpdesk.services import accounts
from helpdesk.web import access
from helpdesk.web.pages.guard import GuardedState
from tests.security.conftest import PASSWORD, VICTIM_SECRETS, sign_in, state_of

# Every handler declares its rule beside it with `@rule(...)` (helpdesk/web/access.py; levels
# public, signed_in, owner, staff, admin, explained there). Reflex's own handlers, which need
# none, are listed with the reason each is safe in `access.REFLEX_INTERNAL`.
REFLEX_INTERNAL = access.REFLEX_INTERNAL
ACCESS_RULES: dict[str, str] = access.all_rules()
RULES = set(access.LEVELS)
ATTACKERS = ("anonymous", "outsider", "colleague")


def app_states() -> list[type[rx.State]]:
    return access.app_states()


def all_handlers() -> list[tuple[type[rx.State], str]]:
    """Every callable handler of every app State: own and from mixins (uploads). A handler
    inherited from another app State (AppState.toggle_locale) is listed once, under that State."""
    return access.handlers()


def test_every_handler_has_an_access_rule():
    names = {f"{cls.__name__}.{name}" for cls, name in all_handlers()}
    missing = sorted(names - ACCESS_RULES.keys())
    assert not missing, (
        f"handlers without an access rule: {missing}. Add `@rule(level, why=...)` (from helpdesk.web.access "
        "import rule; level one of public, signed_in, owner, staff, admin) above the handler's @rx.event, "
        "or `@rules_for(handler=level)` on the State for a handler it gets from a mixin"
    )
    stale = sorted(ACCESS_RULES.keys() - names)
    assert not stale, f"rules for handlers that no longer exist: {stale}"
    assert set(ACCESS_RULES.values()) <= RULES
    # The upload mixin's handlers are inherited, and covered under each page that uses them.
    assert {"NewTicketState.receive_files", "TicketState.receive_files", "AgentTicketState.receive_files"} <= names


def test_no_auto_setters():
    """`setvar` reaches only `set_*` handlers; none may be generated behind our back."""
    for cls in app_states():
        for var in cls.base_vars:
            setter = f"set_{var}"
            if hasattr(cls, setter):
                assert setter in cls.event_handlers and f"{cls.__name__}.{setter}" in ACCESS_RULES or any(
                    f"{c.__name__}.{setter}" in ACCESS_RULES for c in cls.__mro__ if hasattr(c, "__name__")
                ), f"{cls.__name__}.{setter} is reachable by setvar without a rule"


def test_update_vars_internal_cannot_set_a_role(root, world):
    from reflex.state import UpdateVarsInternalState

    from helpdesk.web.app_state import AppState

    app = state_of(root, AppState)
    upd = state_of(root, UpdateVarsInternalState)
    name = AppState.get_full_name()
    asyncio.run(upd.update_vars_internal({f"{name}.user_role": "admin", f"{name}.token": "forged"}))
    assert app.user_role == "" and app.token == "forged"  # storage var only; the role is untouched
    assert app._actor() is None


# ---------------------------------------------------------------- database snapshot

# Table -> key columns compared before/after, and the SQL that says which ticket/user a row
# belongs to (so the attacker's own new rows can be told apart from tampering).
SELF = -1  # owner marker of rows the attacker created for themselves under a new account
TABLES = {
    "tickets": ("id, number, subject, status, priority, assignee_id, requester_id, category, version, organization_id", "requester_id"),
    "messages": ("id, ticket_id, body, is_internal, author_id", "(SELECT requester_id FROM tickets t WHERE t.id = ticket_id)"),
    "attachments": ("id, ticket_id, message_id, filename, sha256", "(SELECT requester_id FROM tickets t WHERE t.id = ticket_id)"),
    # An account the attacker registers with their own address (@evil.test) is theirs.
    "users": ("id, email, name, role, is_active, password_hash, organization_id, is_org_admin",
              f"CASE WHEN email LIKE '%@evil.test' THEN {SELF} ELSE id END"),
    "ticket_events": ("id, ticket_id, kind, from_value, to_value", "(SELECT requester_id FROM tickets t WHERE t.id = ticket_id)"),
    "satisfaction_ratings": ("id, ticket_id, rating, comment", "(SELECT requester_id FROM tickets t WHERE t.id = ticket_id)"),
    # A vote belongs to its voter: "u:<user id>", or the voting browser ("b:...") itself.
    "article_votes": ("id, article_id, voter_key, helpful, comment",
                      f"CASE WHEN voter_key LIKE 'u:%' THEN CAST(substr(voter_key, 3) AS INTEGER) ELSE {SELF} END"),
    "ticket_ccs": ("id, ticket_id, email", "(SELECT requester_id FROM tickets t WHERE t.id = ticket_id)"),
    "sessions": ("id, user_id, token_hash, revoked_at",
                 f"CASE WHEN user_id IN (SELECT id FROM users WHERE email LIKE '%@evil.test') THEN {SELF} ELSE user_id END"),
    "organizations": ("id, name", "NULL"),
    "services": ("id, name, is_active", "NULL"),
    "request_types": ("id, name, is_active", "NULL"),
    "settings": ("*", "NULL"),
    "canned_responses": ("*", "NULL"),
    "sla_targets": ("*", "NULL"),
    "business_days": ("*", "NULL"),
    "holidays": ("*", "NULL"),
}
# Rows an attacker's own action may add and that hold no foreign data: throttling and audit
# records about the attacker, search logs of what they typed, spent captchas, queued mail for
# their own tickets. (Not compared; listed so the whitelist is explicit.)
WHITELISTED_TABLES = {"login_attempts", "audit_events", "rate_limit_hits", "search_queries", "used_challenges", "outbox", "counters"}


# Rows the background jobs rewrite on their own schedule, whatever any browser does: the agent
# mail digest's cursors (services/inbound/agent_notify.py). Compared, they made the check flaky.
BOOKKEEPING = {"settings": """ WHERE "key" NOT LIKE 'agent_mail_%_cursor'"""}


def snapshot() -> dict[str, dict]:
    out = {}
    with get_engine().connect() as conn:
        for table, (cols, owner) in TABLES.items():
            rows = conn.execute(text(f"SELECT {owner} AS _owner, {cols} FROM {table}{BOOKKEEPING.get(table, '')}")).all()
            out[table] = {tuple(r[1:]): r[0] for r in rows}
    return out


def assert_unchanged(before: dict, after: dict, attacker_id: int | None, label: str) -> None:
    for table in TABLES:
        gone = set(before[table]) - set(after[table])
        added = set(after[table]) - set(before[table])
        # A changed row shows up as one gone and one added; both must be the attacker's own.
        own = {SELF} if attacker_id is None else {SELF, attacker_id}
        foreign_gone = [r for r in gone if before[table][r] not in own]
        foreign_added = [r for r in added if after[table][r] not in own]
        assert not foreign_gone and not foreign_added, (
            f"{label}: {table} changed beyond the attacker's own rows: removed={foreign_gone} added={foreign_added}"
        )


# ---------------------------------------------------------------- calling handlers


def _visit(root: rx.State, path: str) -> None:
    root.router = RouterData.from_router_data({
        "pathname": path, "asPath": path, "query": {}, "headers": {"origin": "http://localhost:3000"},
        "token": "tab-token",
    })


def _forged_path(cls, world) -> str:
    """The page an attacker aims a handler at: the victim's ticket wherever a ticket is named."""
    n = world["tickets"]["victim"]
    name = cls.__name__
    if name == "TicketState":
        return f"/tickets/{n}"
    if name == "AgentTicketState":
        return f"/agent/tickets/{n}"
    return {"AgentQueueState": "/agent", "AdminState": "/admin", "MyTicketsState": "/tickets",
            "AccountState": "/account", "DashboardState": "/agent/dashboard"}.get(name, "/")


def _argument_sets(world, attacker_id, nparams: int, names: list[str]):
    victim_n = world["tickets"]["victim"]
    victim_id = world["victim"]["id"]
    form = {
        "body": "pirata", "note": "pirata", "cc": "pirata@evil.test", "comment": "pirata", "id": victim_n,
        "number": victim_n, "q": "Fuga", "subject": "Asunto del atacante", "description": "d" * 30,
        "category": "anomalia", "email": "nobody@evil.test", "password": PASSWORD, "name": "Pirata",
        "current_password": PASSWORD, "new_password": "otra-clave-999", "confirm": "BORRAR",
        "user_id": victim_id, "role": "admin", "requester": str(victim_id), "service": "1",
    }
    # Hostile values: the victim's ticket number in its forms, user, attachment and message ids,
    # role and status names, and a form carrying all of them. Kept short: each costs a DB round.
    singles = [victim_n, f"#{victim_n}", str(victim_id), world["attachment_ids"][0], world["message_ids"][-1],
               "admin", "solved", "good", None, form]
    sets = [[v] * nparams for v in singles]
    if nparams == 2:
        # (user id, role) style pairs: promote oneself or the victim, disable the victim.
        sets += [[attacker_id or victim_id, "admin"], [victim_id, "admin"], [victim_id, False], ["q", "Fuga"],
                 ["requester", str(victim_id)]]
    if "files" in names:
        sets = [[[UploadFile(io.BytesIO(b"hola\n"), filename="../../etc/passwd.txt")]]] + sets
    return sets


def _run(state, cls, name: str, args: list) -> None:
    handler = getattr(cls, name)
    try:
        if handler.is_background:
            # Background tasks take the state itself; a forged one must return at once.
            asyncio.run(asyncio.wait_for(handler.fn(state, *args), timeout=2))
            return
        result = getattr(state, name)(*args)
        if inspect.isawaitable(result):
            asyncio.run(asyncio.wait_for(result, timeout=5))
    except asyncio.TimeoutError:
        pytest.fail(f"{cls.__name__}.{name} kept running for a forged caller")
    except Exception:  # noqa: BLE001 - a handler may reject garbage by raising; what counts is the effect
        pass


def _nparams(cls, name: str) -> list[str]:
    return [p.name for p in inspect.signature(getattr(cls, name).fn).parameters.values() if p.name != "self"]


def _secrets_in(root: rx.State) -> list[str]:
    flat = repr(root.dict())
    return [s for s in VICTIM_SECRETS if s in flat]


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_attackers_read_and_change_nothing_through_any_handler(root, world, attacker):
    attacker_id = None if attacker == "anonymous" else world[attacker]["id"]
    if attacker_id is not None:
        sign_in(root, world[attacker]["token"])
    before = snapshot()
    handlers = all_handlers()
    for cls, name in handlers:
        names = _nparams(cls, name)
        state = state_of(root, cls)
        for args in _argument_sets(world, attacker_id, len(names), names):
            _visit(root, _forged_path(cls, world))
            if "load" in cls.event_handlers and name != "load":
                _run(state, cls, "load", [])
            _run(state, cls, name, args)
            label = f"{attacker} -> {cls.__name__}.{name}{tuple(args)!r:.80}"
            leaked = _secrets_in(root)
            assert not leaked, f"{label} put foreign data in the browser state: {leaked}"
            rule = ACCESS_RULES[f"{cls.__name__}.{name}"]
            if issubclass(cls, GuardedState) and rule in ("staff", "admin", "owner"):
                assert state.access != "ok", f"{label}: the page granted access"
        # Logout (or a password change) by the attacker ends their own session: sign them in
        # again, or every later handler would silently run as an anonymous caller.
        if attacker_id is not None:
            with session_scope() as s:
                if accounts.user_for_token(s, world[attacker]["token"]) is None:
                    world[attacker]["token"] = accounts.start_session(s, s.get(User, attacker_id))
            sign_in(root, world[attacker]["token"])
    assert_unchanged(before, snapshot(), attacker_id, attacker)
