"""Schemathesis against the served OpenAPI document: whatever the input, the API answers without a server error
and its answers match the schema it publishes. Bounded: a few examples per operation (FUZZ_EXAMPLES)."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from cpom.api.models import ApiToken

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The WSGI handler closes the database connection at the end of each request; inside a test that would
    close the connection holding the test's transaction (Django's test client does the same disconnection)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def agent_token(year_of_reports, dreets_agent) -> str:
    """A DREETS agent of Bretagne, who may read and act on most operations: the fuzzer reaches deep code."""
    return ApiToken.issue(user=dreets_agent, label="fuzz")[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_answers_every_input_without_error_and_within_its_schema(case, agent_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {agent_token}"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )


def test_every_api_schema_has_its_own_name():
    """The OpenAPI document keys schemas by class name: two classes of one name would silently merge."""
    import importlib

    from ninja import Schema

    names: dict[str, str] = {}
    clashes = []
    for module_name in (
        "cpom.core.schemas",
        "cpom.api.registry",
        "cpom.reports.api",
        "cpom.contracts.api",
        "cpom.steering.api",
    ):
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == module_name:
                if value.__name__ in names:
                    clashes.append(f"{value.__name__}: {names[value.__name__]} et {module_name}")
                names[value.__name__] = module_name
    assert clashes == []
