"""Contract tests generated from our own OpenAPI document (schemathesis).

For every operation, valid and hostile inputs (wrong types, missing fields, huge values, odd
characters) are sent as a customer and as an agent: no answer may be a 500, and every answer
must match the document (status documented, body matching its schema). Bounded: a few dozen
examples per operation, so the whole file stays well under two minutes.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.support.api_world import build_world


from helpdesk.web.api import build_api

# The document needs no database; the calls made from it do (the `world` fixture).
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", build_api())


# Unknown query parameters are ignored, as most APIs do: so "negative data rejection" is not asked.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.allow_header_conformance,
]


@pytest.fixture
def world(db, monkeypatch):
    monkeypatch.setenv("HELPDESK_API_RATE_LIMIT", "1000000")
    return build_world()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_holds_its_contract(case, world):
    for who in ("customer", "agent"):
        response = case.call(headers={"Authorization": f"Bearer {world['tokens'][who]}"})
        assert response.status_code < 500, f"{case.method} {case.formatted_path} as {who}: {response.status_code} {response.text[:300]}"
        case.validate_response(response, checks=CHECKS)
