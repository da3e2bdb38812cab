"""The OpenAPI document (and so the interactive documentation at /api/docs): every operation has a French
summary, its errors documented with an example body, and an example of its request body."""

import re

import pytest
from django.test import Client

from tests.security.test_policy_registry import api_operations

DEFAULT_SUMMARY = re.compile(r"[A-Z][a-z]+( [A-Z][a-z]+)*")  # django-ninja's summary from the function name


@pytest.fixture(scope="module")
def document():
    return Client().get("/api/openapi.json").json()


def _resolve(document: dict, schema: dict) -> dict:
    if "$ref" in schema:
        return document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_every_operation_has_a_french_summary(document):
    wrong = [
        key
        for key, operation in api_operations(document).items()
        if not operation.get("summary") or DEFAULT_SUMMARY.fullmatch(operation["summary"])
    ]
    assert wrong == []


def test_every_operation_documents_its_errors_in_french_with_an_example(document):
    missing = []
    for key, operation in api_operations(document).items():
        statuses = {"401", "403", "422"} | ({"404"} if "{" in key else set())
        for status in statuses:
            response = operation["responses"].get(status)
            content = (response or {}).get("content", {}).get("application/json", {})
            if not response or not content.get("example", {}).get("detail") or response["description"][:1] == "":
                missing.append(f"{key} {status}")
    assert missing == []
    anyone = api_operations(document)["GET /api/contracts"]["responses"]["401"]
    assert anyone["description"].startswith("Non authentifié")


def test_every_request_body_has_an_example(document):
    missing = []
    for key, operation in api_operations(document).items():
        content = operation.get("requestBody", {}).get("content", {})
        if not content:
            continue
        schema = _resolve(document, next(iter(content.values()))["schema"])
        required = schema.get("required", [])
        properties = schema.get("properties", {})
        if not schema.get("examples") and not all("examples" in properties[name] for name in required):
            missing.append(key)
    assert missing == []


@pytest.mark.django_db
def test_a_401_answer_is_in_french_as_documented():
    response = Client().get("/api/services")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentification requise")


def test_the_interactive_documentation_serves_the_document():
    page = Client().get("/api/docs")
    assert page.status_code == 200 and "openapi.json" in page.content.decode()
