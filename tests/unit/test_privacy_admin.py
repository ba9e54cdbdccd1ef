"""Issue 13 §7: the privacy tools the README promised are reachable — erasure by address, the
attachment retention and the audit log — for admins (/admin → Privacidad) and operators
(`helpdesk privacy ...`), audited, and refused to everyone else."""

from __future__ import annotations

import pytest
from sqlmodel import select

from helpdesk import cli
from helpdesk.domain.accounts import Role, User
from helpdesk.domain.mail import AuditEvent
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, privacy, privacy_admin
from helpdesk.services.errors import NotFound, PermissionDenied, ValidationError


@pytest.fixture
def people(db):
    with session_scope() as s:
        mk = lambda email, **kw: accounts.create_user(s, email=email, password="password-123", name=email.split("@")[0].title(), **kw)  # noqa: E731
        return {"admin": mk("jefa@x.test", role=Role.ADMIN), "agent": mk("agente@x.test", role=Role.AGENT),
                "ana": mk("ana@x.test")}


def test_an_admin_erases_an_account_by_address_typed_twice(people):
    with session_scope() as s, pytest.raises(ValidationError) as err:
        privacy_admin.anonymize_by_email(s, people["admin"], "ana@x.test", "ana@x.tes")
    assert err.value.errors == {"confirm": "privacy.confirm_mismatch"}
    with session_scope() as s, pytest.raises(NotFound):
        privacy_admin.anonymize_by_email(s, people["admin"], "nadie@x.test", "nadie@x.test")
    with session_scope() as s:
        user = privacy_admin.anonymize_by_email(s, people["admin"], " ANA@x.test", "ana@x.test")
        assert user.id == people["ana"].id
    with session_scope() as s:
        ana = s.get(User, people["ana"].id)
        assert ana.name == privacy.ANONYMIZED_NAME and not ana.is_active and "ana@" not in ana.email
        rows = privacy_admin.audit_rows(s, people["admin"])
    assert rows[0].action == "privacy.anonymized" and rows[0].actor == "Jefa" and rows[0].target == f"user:{people['ana'].id}"


@pytest.mark.parametrize("who", ["agent", "ana", None])
def test_nobody_but_an_admin_erases_or_reads_the_log_here(people, who):
    actor = people[who] if who else None
    with session_scope() as s, pytest.raises(PermissionDenied):
        privacy_admin.anonymize_by_email(s, actor, "ana@x.test", "ana@x.test")
    with session_scope() as s, pytest.raises(PermissionDenied):
        privacy_admin.audit_rows(s, actor)
    with session_scope() as s:
        assert s.get(User, people["ana"].id).is_active


def test_the_command_line_sets_retention_erases_and_prints_the_log(people, capsys):
    assert cli.main(["privacy", "retention"]) == 0
    assert "forever" in capsys.readouterr().out
    assert cli.main(["privacy", "retention", "--days", "90"]) == 0
    assert "90 day(s)" in capsys.readouterr().out
    assert cli.main(["privacy", "retention", "--days", "-3"]) == 2
    with session_scope() as s:
        assert privacy.retention_days(s) == 90
    assert cli.main(["privacy", "anonymize", "--email", "nadie@x.test"]) == 1
    assert cli.main(["privacy", "anonymize", "--email", "ana@x.test"]) == 0
    with session_scope() as s:
        assert not s.get(User, people["ana"].id).is_active
        actions = [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.actor_id.is_(None))).all()]
    assert "settings.retention" in actions and "privacy.anonymized" in actions  # the operator, no account
    capsys.readouterr()
    assert cli.main(["privacy", "audit", "--limit", "5"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[2] == "privacy.anonymized" and len(out) <= 5
