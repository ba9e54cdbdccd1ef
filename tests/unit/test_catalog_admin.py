from __future__ import annotations

import pytest

from helpdesk.domain.accounts import Role
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, catalog_admin
from helpdesk.services.errors import NotFound, PermissionDenied, ValidationError


@pytest.fixture
def people(db):
    with session_scope() as s:
        mk = lambda email, **kw: accounts.create_user(s, email=email, password="password-123", name=email, **kw)  # noqa: E731
        return {"admin": mk("root@x.test", role=Role.ADMIN), "agent": mk("a@x.test", role=Role.AGENT), "boss": mk("b@acme.test", org_name="Acme")}


def test_organizations_with_member_counts(people):
    with session_scope() as s:
        catalog_admin.create_organization(s, people["admin"], "  Talleres   Ruiz ")
    with session_scope() as s:
        rows = {o.name: n for o, n in catalog_admin.list_organizations(s, people["admin"])}
    assert rows == {"Acme": 1, "Talleres Ruiz": 0}
    with session_scope() as s, pytest.raises(ValidationError) as err:
        catalog_admin.create_organization(s, people["admin"], "acme")
    assert err.value.errors == {"name": "catalog.name_taken"}


def test_services_and_request_types(people):
    with session_scope() as s:
        a = catalog_admin.create_service(s, people["admin"], "Telefonía", "Telephony")
        b = catalog_admin.create_service(s, people["admin"], "Fibra")
        catalog_admin.set_service_active(s, people["admin"], a.id, False)
        rt = catalog_admin.create_request_type(s, people["admin"], "Devolución", "Refund")
        catalog_admin.set_request_type_active(s, people["admin"], rt.id, False)
    with session_scope() as s:
        services = catalog_admin.list_services(s, people["admin"])
        assert [(x.name, x.is_active) for x in services] == [("Telefonía", False), ("Fibra", True)]
        assert b.position > a.position
        assert [x.is_active for x in catalog_admin.list_request_types(s, people["admin"])] == [False]
    with session_scope() as s, pytest.raises(ValidationError):
        catalog_admin.create_service(s, people["admin"], "x" * 121)
    with session_scope() as s, pytest.raises(NotFound):
        catalog_admin.set_service_active(s, people["admin"], 999, True)


def test_availability_is_for_staff_only(people):
    with session_scope() as s:
        assert catalog_admin.set_available(s, people["admin"], people["agent"].id, False).available_for_assignment is False
    with session_scope() as s, pytest.raises(NotFound):
        catalog_admin.set_available(s, people["admin"], people["boss"].id, False)


@pytest.mark.parametrize("who", ["agent", "boss"])
def test_only_admins(people, who):
    calls = [
        (catalog_admin.list_organizations, ()),
        (catalog_admin.create_organization, ("X",)),
        (catalog_admin.list_services, ()),
        (catalog_admin.create_service, ("X",)),
        (catalog_admin.set_service_active, (1, False)),
        (catalog_admin.list_request_types, ()),
        (catalog_admin.create_request_type, ("X",)),
        (catalog_admin.set_request_type_active, (1, False)),
        (catalog_admin.set_available, (people["agent"].id, False)),
    ]
    for fn, args in calls:
        with session_scope() as s, pytest.raises(PermissionDenied):
            fn(s, people[who], *args)
