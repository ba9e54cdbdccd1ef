"""The admin can require two-step sign-in of staff (issue 13 §4): until an agent turns it on,
the web app lets them look after their own account and nothing else; tokens and mail unaffected."""

from __future__ import annotations

import pytest
from sqlmodel import select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import Role, User
from helpdesk.domain.mail import AuditEvent
from helpdesk.domain.principals import ApiClient, MailSender, SessionUser
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, authz, policy, staff_totp
from helpdesk.services.errors import PermissionDenied, ServiceError
from helpdesk.services.policy import Action


def _user(email: str, role: Role, *, second_factor: bool = False) -> User:
    with session_scope() as s:
        user = accounts.create_user(s, email=email, password="una-clave-larga", name=email.split("@")[0], role=role)
        if second_factor:
            user.totp_secret, user.totp_enabled_at = "JBSWY3DPEHPK3PXP", utcnow()
        return user


def _require(admin: User, on: bool) -> None:
    with session_scope() as s:
        staff_totp.set_required(s, admin, on, ip="10.0.0.1")
    staff_totp.invalidate()


def test_off_by_default_and_an_admin_without_it_cannot_turn_it_on(db):
    admin = _user("admin@example.com", Role.ADMIN)
    agent = _user("agente@example.com", Role.AGENT)
    assert policy.user_may(agent, Action.STAFF_AREA)
    with session_scope() as s, pytest.raises(ServiceError) as err:
        staff_totp.set_required(s, admin, True)
    assert err.value.code == "totp.require_self_first"
    with session_scope() as s:
        assert not staff_totp.is_required(s)


def test_once_required_staff_without_it_may_only_look_after_their_own_account(db):
    admin = _user("admin@example.com", Role.ADMIN, second_factor=True)
    agent = _user("agente@example.com", Role.AGENT)
    ready = _user("lista@example.com", Role.AGENT, second_factor=True)
    customer = _user("cliente@example.com", Role.CUSTOMER)
    _require(admin, True)

    assert staff_totp.enrollment_due(agent) and not staff_totp.enrollment_due(ready)
    assert policy.user_may(agent, Action.SIGNED_IN)
    for action in (Action.STAFF_AREA, Action.VIEW_INTERNAL_NOTES, Action.ASSIGN, Action.OPEN_TICKET):
        assert not policy.user_may(agent, action), action
    with pytest.raises(PermissionDenied):
        authz.require_staff(agent)
    assert policy.user_may(ready, Action.STAFF_AREA) and policy.user_may(admin, Action.ADMIN_AREA)
    assert policy.user_may(customer, Action.OPEN_TICKET)  # customers are not staff: nothing changes
    # Not the web: a token is its own credential, and mail keeps working.
    assert policy.can(ApiClient(account=agent), Action.STAFF_AREA)
    assert policy.can(MailSender(email=agent.email, account=agent), Action.STAFF_AREA)
    assert not policy.can(SessionUser(account=agent), Action.STAFF_AREA)
    with session_scope() as s:
        logged = s.exec(select(AuditEvent).where(AuditEvent.action == "settings.staff_totp")).all()
        assert [(e.actor_id, e.detail) for e in logged] == [(admin.id, "1")]


def test_turning_it_off_gives_staff_their_work_back(db):
    admin = _user("admin@example.com", Role.ADMIN, second_factor=True)
    agent = _user("agente@example.com", Role.AGENT)
    _require(admin, True)
    assert not policy.user_may(agent, Action.STAFF_AREA)
    _require(admin, False)
    assert policy.user_may(agent, Action.STAFF_AREA)


def test_only_admins_set_it(db):
    agent = _user("agente@example.com", Role.AGENT, second_factor=True)
    with session_scope() as s, pytest.raises(PermissionDenied):
        staff_totp.set_required(s, agent, True)
