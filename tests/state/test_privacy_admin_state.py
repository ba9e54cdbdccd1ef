"""/admin → Privacidad through its State: retention, erasure by address, the audit rows; only admins."""

from __future__ import annotations

from helpdesk.domain.accounts import User
from helpdesk.infra.db import session_scope
from helpdesk.services import privacy
from helpdesk.web.pages.admin.privacy import PrivacyAdminState
from helpdesk.web.pages.admin.state import AdminState
from tests.state.conftest import sign_in, state_of


def test_an_admin_sets_retention_erases_an_account_and_reads_the_log(root, people):
    sign_in(root, people["admin"]["token"])
    state = state_of(root, PrivacyAdminState)
    state.load()
    assert state.retention == "0"
    state.save_retention({"days": "abc"})
    assert state.errors.get("days")
    state.save_retention({"days": "45"})
    assert state.retention == "45" and not state.errors
    state.anonymize({"email": "cliente@x.test", "confirm": "otro@x.test"})
    assert state.errors.get("confirm")
    state.anonymize({"email": "nadie@x.test", "confirm": "nadie@x.test"})
    assert state.errors.get("email")
    state.anonymize({"email": "cliente@x.test", "confirm": "cliente@x.test"})
    assert not state.errors
    with session_scope() as s:
        assert not s.get(User, people["customer"]["user"].id).is_active
        assert privacy.retention_days(s) == 45
    assert [r.action for r in state.audit[:2]] == ["privacy.anonymized", "settings.retention"]
    assert state.audit[0].at == "ahora mismo"
    state._apply_locale("en")
    state.relocalize()  # the language switch: the log's dates follow
    assert state.audit[0].at in ("just now", "now")
    admin = state_of(root, AdminState)
    admin.set_tab("privacy")
    assert admin.tab == "privacy"
    admin.set_tab("integrations")
    assert admin.tab == "integrations"


def test_an_agent_gets_nothing_and_changes_nothing(root, people):
    sign_in(root, people["agent"]["token"])
    state = state_of(root, PrivacyAdminState)
    state.load()
    assert state.audit == [] and state.retention == ""
    state.save_retention({"days": "1"})
    state.anonymize({"email": "cliente@x.test", "confirm": "cliente@x.test"})
    with session_scope() as s:
        assert s.get(User, people["customer"]["user"].id).is_active
        assert privacy.retention_days(s) == 0


def test_the_switch_redraws_the_holiday_dates_and_the_staff_two_step_rule(root, people):
    """/admin registers both of its States with the language switch; holidays were left in Spanish."""
    from helpdesk.web import relocalize, routes

    assert relocalize.states_for(routes.ADMIN) == [PrivacyAdminState, AdminState]
    sign_in(root, people["admin"]["token"])
    admin = state_of(root, AdminState)
    admin.load()
    admin.add_holiday({"day": "2026-12-08", "name": "Inmaculada Concepción"})
    label = next(h.label for h in admin.holidays if h.day == "2026-12-08")
    assert "diciembre" in label
    admin._apply_locale("en")
    admin.relocalize()
    assert "December" in next(h.label for h in admin.holidays if h.day == "2026-12-08")

    # The rule needs the admin's own two-step first; the refusal says so and nothing is stored.
    privacy_state = state_of(root, PrivacyAdminState)
    privacy_state.load()
    privacy_state.set_staff_totp(True)
    assert privacy_state.staff_totp_on is False
