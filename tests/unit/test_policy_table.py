"""services/policy.py, table by table: every kind of caller × action × ticket, allowed or not.

No database: users are unsaved User objects and tickets are policy.TicketFacts with their CC
lists in memory. Each expectation below is written out by hand from the rules the services
enforced before the policy existed (tickets.can_view, add_cc, csat.rate_as_user,
ticket_links.viewer, api write scope, inbound may_write, authz); the DB-backed tests
(test_tickets, test_trust, test_api_authz, test_inbound, state/test_role_gates) still hold the
wired-up services to the same answers.
"""

from __future__ import annotations

import ast
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from helpdesk.domain.accounts import User
from helpdesk.domain.integrations import SCOPE_READ as DB_SCOPE_READ, SCOPE_WRITE as DB_SCOPE_WRITE
from helpdesk.domain.principals import (
    SCOPE_READ,
    SCOPE_WRITE,
    ApiClient,
    LinkHolder,
    MailSender,
    SessionUser,
    Visitor,
    mark_link_stand_in,
    of_actor,
)
from helpdesk.services import authz, policy
from helpdesk.services.errors import PermissionDenied
from helpdesk.services.policy import Action, AttachmentFacts, TicketFacts

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 1, 1, 12, 0)  # the unverified customer registered then
ORG, OTHER_ORG = 10, 20


def _user(uid, email, role="customer", **kw) -> User:
    kw.setdefault("registered_at", T0 - timedelta(days=400))
    kw.setdefault("email_verified_at", T0 - timedelta(days=399))
    return User(id=uid, email=email, name=email, role=role, password_hash="x", **kw)


USERS = {
    "customer": _user(1, "c@x.test"),
    "unverified": _user(2, "u@x.test", email_verified_at=None, registered_at=T0),
    "org_admin": _user(3, "oa@x.test", organization_id=ORG, is_org_admin=True),
    "org_member": _user(4, "om@x.test", organization_id=ORG),
    "agent": _user(5, "agent@x.test", role="agent"),
    "admin": _user(6, "admin@x.test", role="admin"),
    "deactivated": _user(7, "d@x.test", is_active=False),
    "deactivated_agent": _user(8, "dagent@x.test", role="agent", is_active=False),
    "legacy": _user(9, "l@x.test", email_verified_at=None, registered_at=None),
}
EMAIL_OF = {1: "c@x.test", 2: "u@x.test", 4: "om@x.test", 7: "d@x.test", 9: "l@x.test", 11: "m2@x.test",
            99: "s@x.test"}


def _ticket(number, requester_id, org=None, created=T0 + timedelta(days=1), ccs=()) -> TicketFacts:
    ccs = frozenset(ccs)
    return TicketFacts(
        number=number, requester_id=requester_id, organization_id=org, created_at=created,
        is_cc=lambda email: email in ccs,
        is_on_ticket=lambda email: email == EMAIL_OF.get(requester_id) or email in ccs,
    )


TICKETS = {
    "own": _ticket(1001, 1),                                        # the customer's
    "org": _ticket(1002, 11, org=ORG),                              # a colleague's, in the organization
    "other": _ticket(1003, 99, org=OTHER_ORG),                      # a stranger's
    "cc": _ticket(1004, 99, ccs={"c@x.test", "colleague@x.test"}),  # the (verified) customer is CC'd
    "cc_unverified": _ticket(1005, 99, ccs={"u@x.test"}),           # the unverified customer is CC'd
    "guest_old": _ticket(1006, 2, created=T0 - timedelta(days=5)),  # opened as a guest before registering
    "own_new": _ticket(1007, 2),                                    # the unverified customer's, after
    "deactivated_own": _ticket(1008, 7),
    "legacy_own": _ticket(1009, 9, created=T0 - timedelta(days=900)),
}
ALL = frozenset(TICKETS)
NONE: frozenset = frozenset()

# ---------------------------------------------------------------- expectations, by hand

VISIBLE = {
    "customer": {"own", "cc"},
    "unverified": {"own_new"},          # no guest tickets by address, no CC until verified
    "org_admin": {"org"},
    "org_member": set(),                # a member sees only their own
    "agent": ALL,
    "admin": ALL,
    "deactivated": set(),
    "deactivated_agent": set(),
    "legacy": {"legacy_own"},           # a guest account from before registration existed
}
MAY_ADD_CC = {
    "customer": {"own"},                # not on "cc": a CC'd person may not widen who sees it
    "unverified": {"own_new"},
    "org_admin": {"org"},
    "org_member": set(),
    "agent": ALL, "admin": ALL,
    "deactivated": set(), "deactivated_agent": set(),
    "legacy": {"legacy_own"},
}
MAY_RATE = {                             # the requester only
    "customer": {"own"}, "unverified": {"own_new"}, "org_admin": set(), "org_member": set(),
    "agent": set(), "admin": set(), "deactivated": set(), "deactivated_agent": set(), "legacy": {"legacy_own"},
}
STAFF = {"agent", "admin"}

TICKET_RULES = {
    Action.VIEW_TICKET: VISIBLE,
    Action.REPLY_TICKET: VISIBLE,
    Action.REOPEN_TICKET: VISIBLE,
    Action.REMOVE_CC: VISIBLE,
    Action.ADD_CC: MAY_ADD_CC,
    Action.RATE_TICKET: MAY_RATE,
    Action.ADD_INTERNAL_NOTE: {u: (ALL if u in STAFF else NONE) for u in USERS},
    Action.VIEW_INTERNAL_NOTES: {u: (ALL if u in STAFF else NONE) for u in USERS},
    Action.CHANGE_STATUS: {u: (ALL if u in STAFF else NONE) for u in USERS},
    Action.SET_PRIORITY: {u: (ALL if u in STAFF else NONE) for u in USERS},
    Action.SET_CATEGORY: {u: (ALL if u in STAFF else NONE) for u in USERS},
    Action.ASSIGN: {u: (ALL if u in STAFF else NONE) for u in USERS},
    Action.SPLIT_TICKET: {u: (ALL if u in STAFF else NONE) for u in USERS},
    # Undoing a merge or split rewrites two tickets: admins only, not agents.
    Action.UNDO_MERGE: {u: (ALL if u == "admin" else NONE) for u in USERS},
}


def _session_cases():
    for action, table in TICKET_RULES.items():
        for who in USERS:
            for res in TICKETS:
                yield pytest.param(who, action, res, res in table[who], id=f"{who}-{action.value}-{res}")


@pytest.mark.parametrize("who,action,res,allowed", list(_session_cases()))
def test_signed_in_user_on_tickets(who, action, res, allowed):
    assert policy.can(SessionUser(USERS[who]), action, TICKETS[res]) is allowed


# Attachments: public ones follow the ticket; those on internal notes are for staff.
@pytest.mark.parametrize("who", list(USERS))
@pytest.mark.parametrize("res", list(TICKETS))
@pytest.mark.parametrize("internal", [False, True])
def test_attachments(who, res, internal):
    expected = res in VISIBLE[who] and (not internal or who in STAFF)
    facts = AttachmentFacts(TICKETS[res], internal=internal)
    assert policy.can(SessionUser(USERS[who]), Action.VIEW_ATTACHMENT, facts) is expected


AREA_RULES = {
    #                   signed_in staff  admin  users  settings open   chat
    "customer":          (True,  False, False, False, False,  True,  True),
    "unverified":        (True,  False, False, False, False,  True,  True),
    "org_admin":         (True,  False, False, False, False,  True,  True),
    "org_member":        (True,  False, False, False, False,  True,  True),
    "agent":             (True,  True,  False, False, False,  True,  True),
    "admin":             (True,  True,  True,  True,  True,   True,  True),
    "deactivated":       (False, False, False, False, False,  False, False),
    "deactivated_agent": (False, False, False, False, False,  False, False),
    "legacy":            (True,  False, False, False, False,  True,  True),
}
AREAS = (Action.SIGNED_IN, Action.STAFF_AREA, Action.ADMIN_AREA, Action.MANAGE_USERS, Action.ADMIN_SETTINGS,
         Action.OPEN_TICKET, Action.CHAT)


@pytest.mark.parametrize("who,action,allowed", [
    pytest.param(who, action, row[i], id=f"{who}-{action.value}")
    for who, row in AREA_RULES.items() for i, action in enumerate(AREAS)
])
def test_areas(who, action, allowed):
    assert policy.can(SessionUser(USERS[who]), action) is allowed


# ---------------------------------------------------------------- visitors

@pytest.mark.parametrize("action,allowed", [
    (Action.OPEN_TICKET, True), (Action.CHAT, True), (Action.SIGNED_IN, False), (Action.STAFF_AREA, False),
    (Action.ADMIN_AREA, False), (Action.USE_API_WRITE, False), (Action.VIEW_INTERNAL_NOTES, False),
])
def test_visitor(action, allowed):
    assert policy.can(Visitor(), action) is allowed
    assert policy.can(None, action) is allowed


@pytest.mark.parametrize("res", list(TICKETS))
@pytest.mark.parametrize("action", [Action.VIEW_TICKET, Action.REPLY_TICKET, Action.ADD_CC, Action.RATE_TICKET])
def test_visitor_sees_no_ticket(res, action):
    assert policy.can(Visitor(), action, TICKETS[res]) is False


# ---------------------------------------------------------------- e-mailed link holders

LINK_CASES = [
    # (holder,                         action,                  ticket,          allowed)
    # a registered customer's link: acts as themselves, on that one ticket only
    ("customer@own", Action.VIEW_TICKET, "own", True),
    ("customer@own", Action.REPLY_TICKET, "own", True),
    ("customer@own", Action.ADD_CC, "own", True),
    ("customer@own", Action.RATE_TICKET, "own", True),
    ("customer@own", Action.VIEW_TICKET, "cc", False),         # visible to the account, not via this link
    ("customer@own", Action.VIEW_TICKET, "other", False),
    ("customer@own", Action.ADD_INTERNAL_NOTE, "own", False),
    # an address without an account (a CC'd colleague): reads its one ticket, nothing more
    ("colleague@cc", Action.VIEW_TICKET, "cc", True),
    ("colleague@cc", Action.VIEW_ATTACHMENT, "cc", True),
    ("colleague@cc", Action.REPLY_TICKET, "cc", False),
    ("colleague@cc", Action.ADD_CC, "cc", False),
    ("colleague@cc", Action.REOPEN_TICKET, "cc", False),
    ("colleague@cc", Action.RATE_TICKET, "cc", False),
    ("colleague@cc", Action.VIEW_INTERNAL_NOTES, "cc", False),
    ("colleague@cc", Action.VIEW_TICKET, "other", False),
    ("colleague@other", Action.VIEW_TICKET, "other", False),   # removed from CC: the link stops working
    # an agent's address: a forwarded mail carries no agent powers
    ("agent-mailbox@cc", Action.VIEW_TICKET, "cc", False),     # the agent is not CC'd there
    ("agent-mailbox@agentcc", Action.VIEW_TICKET, "agentcc", True),
    ("agent-mailbox@agentcc", Action.VIEW_INTERNAL_NOTES, "agentcc", False),
    ("agent-mailbox@agentcc", Action.ADD_INTERNAL_NOTE, "agentcc", False),
    ("agent-mailbox@agentcc", Action.CHANGE_STATUS, "agentcc", False),
    ("agent-mailbox@agentcc", Action.SPLIT_TICKET, "agentcc", False),
    # a registered, unverified account: the mailbox keeps the guest ticket it was mailed about
    ("unverified@guest_old", Action.VIEW_TICKET, "guest_old", True),
    ("unverified@guest_old", Action.REPLY_TICKET, "guest_old", False),  # writes go through its own visibility
    ("unverified@cc_unverified", Action.VIEW_TICKET, "cc_unverified", True),
    ("unverified@other", Action.VIEW_TICKET, "other", False),
    # a deactivated account: nothing
    ("deactivated@own", Action.VIEW_TICKET, "deactivated_own", False),
    # a link is never a sign-in
    ("customer@own", Action.SIGNED_IN, None, False),
    ("customer@own", Action.STAFF_AREA, None, False),
]
TICKETS_FOR_LINKS = dict(TICKETS, agentcc=_ticket(1010, 99, ccs={"agent@x.test"}))
HOLDERS = {
    "customer@own": LinkHolder("c@x.test", 1001, USERS["customer"]),
    "colleague@cc": LinkHolder("colleague@x.test", 1004, None),
    "colleague@other": LinkHolder("colleague@x.test", 1003, None),
    "agent-mailbox@cc": LinkHolder("agent@x.test", 1004, None),
    "agent-mailbox@agentcc": LinkHolder("agent@x.test", 1010, None),
    "unverified@guest_old": LinkHolder("u@x.test", 1006, USERS["unverified"]),
    "unverified@cc_unverified": LinkHolder("u@x.test", 1005, USERS["unverified"]),
    "unverified@other": LinkHolder("u@x.test", 1003, USERS["unverified"]),
    "deactivated@own": LinkHolder("d@x.test", 1008, USERS["deactivated"]),
}


@pytest.mark.parametrize("holder,action,res,allowed", [
    pytest.param(*case, id=f"{case[0]}-{case[1].value}-{case[2]}") for case in LINK_CASES
])
def test_link_holder(holder, action, res, allowed):
    resource = TICKETS_FOR_LINKS[res] if res else None
    assert policy.can(HOLDERS[holder], action, resource) is allowed


def test_link_holder_internal_attachment_is_refused():
    holder = HOLDERS["colleague@cc"]
    assert policy.can(holder, Action.VIEW_ATTACHMENT, AttachmentFacts(TICKETS["cc"], internal=False)) is True
    assert policy.can(holder, Action.VIEW_ATTACHMENT, AttachmentFacts(TICKETS["cc"], internal=True)) is False


def test_read_only_stand_in_is_a_link_holder():
    """The unsaved stand-in ticket_links.viewer hands to services cannot write or sign in."""
    stand_in = mark_link_stand_in(User(id=None, email="colleague@x.test", name="x", role="customer",
                                       password_hash="", email_verified_at=T0), 1004)
    principal = of_actor(stand_in)
    assert isinstance(principal, LinkHolder) and principal.user is None and principal.ticket_number == 1004
    assert policy.can(principal, Action.VIEW_TICKET, TICKETS["own"]) is False  # not its ticket
    assert policy.can(principal, Action.VIEW_TICKET, TICKETS["cc"]) is True
    assert policy.can(principal, Action.REPLY_TICKET, TICKETS["cc"]) is False
    assert policy.can(principal, Action.ADD_CC, TICKETS["cc"]) is False
    with pytest.raises(PermissionDenied):
        authz.require_user(stand_in)


# ---------------------------------------------------------------- API tokens

API_CASES = [
    # (who, scope, action, ticket, allowed)
    ("customer", SCOPE_READ, Action.VIEW_TICKET, "own", True),
    ("customer", SCOPE_READ, Action.VIEW_TICKET, "other", False),
    ("customer", SCOPE_READ, Action.REPLY_TICKET, "own", False),   # read scope: no writes
    ("customer", SCOPE_READ, Action.ADD_CC, "own", False),
    ("customer", SCOPE_READ, Action.OPEN_TICKET, None, False),
    ("customer", SCOPE_READ, Action.USE_API_WRITE, None, False),
    ("customer", SCOPE_WRITE, Action.REPLY_TICKET, "own", True),
    ("customer", SCOPE_WRITE, Action.REPLY_TICKET, "other", False),
    ("customer", SCOPE_WRITE, Action.OPEN_TICKET, None, True),
    ("customer", SCOPE_WRITE, Action.USE_API_WRITE, None, True),
    ("customer", SCOPE_WRITE, Action.ADD_INTERNAL_NOTE, "own", False),
    ("customer", SCOPE_WRITE, Action.STAFF_AREA, None, False),
    ("agent", SCOPE_READ, Action.VIEW_TICKET, "other", True),
    ("agent", SCOPE_READ, Action.VIEW_INTERNAL_NOTES, "other", True),
    ("agent", SCOPE_READ, Action.STAFF_AREA, None, True),
    ("agent", SCOPE_READ, Action.CHANGE_STATUS, "other", False),
    ("agent", SCOPE_READ, Action.ASSIGN, "other", False),
    ("agent", SCOPE_READ, Action.ADD_INTERNAL_NOTE, "other", False),
    ("agent", SCOPE_WRITE, Action.CHANGE_STATUS, "other", True),
    ("agent", SCOPE_WRITE, Action.ADD_INTERNAL_NOTE, None, True),
    ("agent", SCOPE_WRITE, Action.ADMIN_AREA, None, False),
    ("admin", SCOPE_WRITE, Action.MANAGE_USERS, None, True),
    ("admin", SCOPE_READ, Action.MANAGE_USERS, None, False),
    ("admin", SCOPE_WRITE, Action.UNDO_MERGE, "other", True),
    ("admin", SCOPE_READ, Action.UNDO_MERGE, "other", False),
    ("agent", SCOPE_WRITE, Action.UNDO_MERGE, "other", False),
    ("agent", SCOPE_READ, Action.SPLIT_TICKET, "other", False),
    ("deactivated", SCOPE_WRITE, Action.VIEW_TICKET, "deactivated_own", False),
    ("deactivated", SCOPE_WRITE, Action.USE_API_WRITE, None, False),
    ("deactivated_agent", SCOPE_WRITE, Action.STAFF_AREA, None, False),
    ("unverified", SCOPE_WRITE, Action.VIEW_TICKET, "guest_old", False),
    ("org_admin", SCOPE_READ, Action.VIEW_TICKET, "org", True),
]


@pytest.mark.parametrize("who,scope,action,res,allowed", [
    pytest.param(*case, id=f"{case[0]}-{case[1]}-{case[2].value}-{case[3]}") for case in API_CASES
])
def test_api_client(who, scope, action, res, allowed):
    client = ApiClient(USERS[who], scope=scope, token_id=1)
    assert policy.can(client, action, TICKETS[res] if res else None) is allowed


def test_scope_names_match_the_token_table():
    assert (SCOPE_READ, SCOPE_WRITE) == (DB_SCOPE_READ, DB_SCOPE_WRITE)


# ---------------------------------------------------------------- inbound mail senders

MAIL_CASES = [
    # (sender, action, ticket, allowed)
    ("customer", Action.REPLY_TICKET, "own", True),
    ("customer", Action.REPLY_TICKET, "cc", True),
    ("customer", Action.REPLY_TICKET, "other", False),
    ("customer", Action.ADD_INTERNAL_NOTE, "own", False),   # "#note" from a customer is a reply
    ("customer", Action.OPEN_TICKET, None, True),
    ("unverified", Action.REPLY_TICKET, "guest_old", False),
    ("unverified", Action.REPLY_TICKET, "cc_unverified", False),
    ("unverified", Action.REPLY_TICKET, "own_new", True),
    ("org_admin", Action.REPLY_TICKET, "org", True),
    ("agent", Action.REPLY_TICKET, "other", True),
    ("agent", Action.ADD_INTERNAL_NOTE, "other", True),
    ("agent", Action.OPEN_TICKET, None, False),             # staff mail to the support address opens nothing
    ("admin", Action.OPEN_TICKET, None, False),
    ("deactivated", Action.REPLY_TICKET, "deactivated_own", False),
    (None, Action.REPLY_TICKET, "other", False),            # a stranger
    (None, Action.REPLY_TICKET, "cc", False),
    (None, Action.OPEN_TICKET, None, True),                 # a stranger's mail opens a guest ticket
    (None, Action.SIGNED_IN, None, False),
]


@pytest.mark.parametrize("who,action,res,allowed", [
    pytest.param(*case, id=f"{case[0]}-{case[1].value}-{case[2]}") for case in MAIL_CASES
])
def test_mail_sender(who, action, res, allowed):
    account = USERS[who] if who else None
    sender = MailSender(email=account.email if account else "stranger@x.test", account=account)
    assert policy.can(sender, action, TICKETS[res] if res else None) is allowed


# ---------------------------------------------------------------- the principals themselves


@pytest.mark.parametrize("principal,user,channel", [
    (SessionUser(USERS["customer"]), USERS["customer"], "web"),
    (LinkHolder("colleague@x.test", 1004), None, "link"),
    (LinkHolder("c@x.test", 1001, USERS["customer"]), USERS["customer"], "link"),
    (ApiClient(USERS["agent"], SCOPE_READ, 3), USERS["agent"], "api"),
    (MailSender("s@x.test"), None, "mail"),
    (MailSender("c@x.test", False, USERS["customer"]), USERS["customer"], "mail"),
    (Visitor(), None, "anonymous"),
])
def test_principal_user_and_channel(principal, user, channel):
    assert principal.user is user
    assert principal.channel == channel


def test_of_actor():
    assert isinstance(of_actor(None), Visitor)
    assert of_actor(USERS["customer"]) == SessionUser(USERS["customer"])
    unsaved = User(id=None, email="n@x.test", name="n", role="admin", password_hash="x")
    assert of_actor(unsaved) == SessionUser(unsaved)  # an unsaved account is still an account
    client = ApiClient(USERS["agent"])
    assert of_actor(client) is client


def test_require_raises_the_services_permission_error():
    with pytest.raises(PermissionDenied) as err:
        policy.require(SessionUser(USERS["customer"]), Action.STAFF_AREA)
    assert err.value.code == "errors.forbidden"
    policy.require(SessionUser(USERS["agent"]), Action.STAFF_AREA)


@pytest.mark.parametrize("who,user_ok,staff_ok,admin_ok", [
    ("customer", True, False, False), ("agent", True, True, False), ("admin", True, True, True),
    ("deactivated", False, False, False), ("deactivated_agent", False, False, False),
])
def test_authz_wrappers(who, user_ok, staff_ok, admin_ok):
    for check, ok in ((authz.require_user, user_ok), (authz.require_staff, staff_ok), (authz.require_admin, admin_ok)):
        if ok:
            assert check(USERS[who]) is USERS[who]
        else:
            with pytest.raises(PermissionDenied):
                check(USERS[who])
    with pytest.raises(PermissionDenied) as err:
        authz.require_user(None)
    assert err.value.code == "errors.login_required"


# ---------------------------------------------------------------- the rules stay in one place

# Python comparisons of a user's role (`user.role == "admin"`, `actor.role_enum is Role.ADMIN`).
# SQL filters on the column (`User.role == ...` in a select) are data queries, not permissions.
ROLE_COMPARISON_ALLOWED = {
    "helpdesk/services/policy.py": "the rules",
    "helpdesk/services/authz.py": "thin wrappers over the rules",
    # Only customers of a premium organization hold an urgent allowance: a plan's business rule.
    "helpdesk/services/plans.py": "plan eligibility, not access",
}


def _role_comparisons(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        for side in [node.left, *node.comparators]:
            if (isinstance(side, ast.Attribute) and side.attr in ("role", "role_enum")
                    and not (isinstance(side.value, ast.Name) and side.value.id == "User")):
                found.append(node.lineno)
    return found


def test_services_do_not_compare_roles_outside_the_policy():
    offenders = []
    for path in sorted((ROOT / "helpdesk" / "services").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ROLE_COMPARISON_ALLOWED:
            continue
        offenders += [f"{rel}:{line}" for line in _role_comparisons(path)]
    assert offenders == [], "role checks belong in services/policy.py: " + ", ".join(offenders)


def test_every_page_entry_rule_asks_the_policy():
    """Each page's `_may_enter` is one call to policy.user_may (guard.py's default lets all in)."""
    missing = []
    for path in sorted((ROOT / "helpdesk" / "web" / "pages").rglob("*.py")):
        if path.name == "guard.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == "_may_enter":
                if "policy.user_may(" not in ast.unparse(node):
                    missing.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}")
    assert missing == []


def test_pages_do_not_compare_roles_for_access():
    """Admin-only handlers ask the policy too (display of a role, e.g. a badge, is not access)."""
    pattern = re.compile(r"return user if user is not None and user\.role")
    hits = [p.relative_to(ROOT).as_posix() for p in (ROOT / "helpdesk" / "web").rglob("*.py")
            if pattern.search(p.read_text(encoding="utf-8"))]
    assert hits == []
