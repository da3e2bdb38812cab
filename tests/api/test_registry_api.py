"""The registry through the API: services addressed by SIRET, approvals (renewals, conditional, shortened),
certifications and mergers, with the same rules and French refusals as the pages."""

import datetime as dt
import json

import pytest
from django.test import Client

from cpom.contracts.models import Contract
from cpom.organisations.models import Spsti
from tests.api.test_contracts_api import bearer

pytestmark = pytest.mark.django_db

NEW_SIRET = "73282932000074"


def post(user, url: str, body: dict, method: str = "post"):
    return getattr(Client(), method)(url, data=json.dumps(body), content_type="application/json", **bearer(user))


def new_service(**changes) -> dict:
    return {
        "siret": "732 829 320 00074",
        "name": "Santé au travail de Saint-Malo",
        "headquarters_department": "35",
        "employees_followed": 40_000,
        "member_companies": 3_000,
        "city": "Saint-Malo",
    } | changes


def test_a_dreets_agent_registers_a_service_of_its_region_by_siret(dreets_agent):
    response = post(dreets_agent, "/api/services", new_service())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["siret"], body["region"], body["departments"]) == (NEW_SIRET, "53", ["35"])
    assert "id" not in body and "pk" not in body
    assert Client().get(f"/api/services/{NEW_SIRET}", **bearer(dreets_agent)).json()["name"] == body["name"]


def test_the_registry_refuses_in_french_what_the_pages_refuse(dreets_agent, service_a):
    taken = post(dreets_agent, "/api/services", new_service(siret=service_a.siret))
    assert taken.status_code == 422
    assert taken.json() == {
        "detail": "Un service portant ce SIRET est déjà inscrit au registre.",
        "rule": None,
        "field": "siret",
    }
    elsewhere = post(dreets_agent, "/api/services", new_service(headquarters_department="75"))
    assert elsewhere.status_code == 422 and "n'appartient pas à votre région" in elsewhere.json()["detail"]
    bad_key = post(dreets_agent, "/api/services", new_service(siret="12345678901234"))
    assert bad_key.status_code == 422 and "clé de contrôle" in bad_key.json()["detail"]
    unknown = post(dreets_agent, "/api/services", new_service(departments=["35", "XX"]))
    assert unknown.json()["detail"] == "Département inconnu : XX."


def test_reading_and_writing_follow_the_scope_and_the_role(
    service_a, idf_service, dreets_agent, spsti_referent, caisse_agent, social_partner
):
    assert Client().get(f"/api/services/{idf_service.siret}", **bearer(dreets_agent)).status_code == 404
    assert Client().get(f"/api/services/{service_a.siret}", **bearer(spsti_referent)).status_code == 200
    assert Client().get("/api/services", **bearer(social_partner)).status_code == 403
    listed = Client().get("/api/services", **bearer(dreets_agent)).json()
    assert [row["siret"] for row in listed["results"]] == [service_a.siret]
    refused = post(
        caisse_agent, f"/api/services/{service_a.siret}/approvals", {"start": "2031-01-01", "end": "2032-12-31"}
    )
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Votre rôle ne permet pas cette opération sur le registre des services."


def test_a_renewed_then_a_shortened_approval_are_recorded(dreets_agent, service_a):
    last = service_a.approvals.get()
    start = last.end + dt.timedelta(days=1)
    renewal = {
        "start": start.isoformat(),
        "end": (start.replace(year=start.year + 5) - dt.timedelta(days=1)).isoformat(),
    }
    body = post(dreets_agent, f"/api/services/{service_a.siret}/approvals", renewal).json()
    assert [(a["renewal"], a["shortened"]) for a in body["approvals"]] == [(False, False), (True, False)]
    assert body["approvals"][1]["zones"] == ["35"]
    overlapping = post(dreets_agent, f"/api/services/{service_a.siret}/approvals", renewal)
    assert overlapping.status_code == 422 and overlapping.json()["detail"].startswith("Cet agrément chevauche")
    later = start.replace(year=start.year + 5)
    too_long = {"start": later.isoformat(), "end": later.replace(year=later.year + 3).isoformat(), "shortened": True}
    refused = post(dreets_agent, f"/api/services/{service_a.siret}/approvals", too_long)
    assert refused.status_code == 422
    assert "Un agrément de deux ans (décret 2022-1435)" in refused.json()["detail"]
    shortened = too_long | {"end": (later.replace(year=later.year + 2) - dt.timedelta(days=1)).isoformat()}
    body = post(dreets_agent, f"/api/services/{service_a.siret}/approvals", shortened | {"conditional": True}).json()
    assert body["detail"] == "Un agrément conditionnel doit énoncer ses conditions."
    body = post(
        dreets_agent, f"/api/services/{service_a.siret}/approvals", shortened | {"conditional": True, "conditions": "X"}
    ).json()
    assert [(a["renewal"], a["shortened"], a["conditional"]) for a in body["approvals"]][-1] == (True, True, True)


def test_a_certification_expires_after_its_levels_years_and_only_the_highest_level_renews(dreets_agent, service_a):
    url = f"/api/services/{service_a.siret}/certifications"
    first = post(dreets_agent, url, {"level": "niveau_1", "certifier": "AFNOR", "certified_on": "2024-03-01"}).json()
    assert first["certifications"][0] | {} == {
        "level": "niveau_1",
        "certifier": "AFNOR",
        "certified_on": "2024-03-01",
        "expires_on": "2026-02-28",
        "renewable": False,
    }
    again = post(dreets_agent, url, {"level": "niveau_1", "certifier": "AFNOR", "certified_on": "2026-02-01"})
    assert again.status_code == 422
    assert "n'est pas renouvelable" in again.json()["detail"] and again.json()["field"] == "level"
    up = post(dreets_agent, url, {"level": "niveau_3", "certifier": "AFNOR", "certified_on": "2026-02-01"}).json()
    assert up["certifications"][0]["expires_on"] == "2031-01-31"
    renewed = post(dreets_agent, url, {"level": "niveau_3", "certifier": "Bureau", "certified_on": "2031-01-15"})
    assert renewed.status_code == 201
    assert [c["level"] for c in renewed.json()["certifications"]] == ["niveau_3", "niveau_3", "niveau_1"]


def test_a_merger_dissolves_the_absorbed_service_into_another(dreets_agent, service_a, service_b, idf_service):
    url = f"/api/services/{service_b.siret}/merger"
    body = post(dreets_agent, url, {"into": service_a.siret, "on": "2025-12-31"}).json()
    assert (body["dissolved_on"], body["merged_into"]) == ("2025-12-31", service_a.siret)
    again = post(dreets_agent, url, {"into": service_a.siret, "on": "2026-01-31"})
    assert again.status_code == 422 and again.json()["detail"] == "Ce service est déjà dissous depuis le 31/12/2025."
    outside = post(
        dreets_agent, f"/api/services/{service_a.siret}/merger", {"into": idf_service.siret, "on": "2026-01-01"}
    )
    assert outside.json()["detail"] == "Aucun service de ce SIRET dans votre périmètre."
    assert Spsti.objects.get(pk=service_a.pk).dissolved_on is None


def test_a_contract_draft_names_its_services_by_siret(dreets_agent, service_a, idf_service):
    response = post(dreets_agent, "/api/contracts", {"services": [service_a.siret], "generation": 3})
    assert response.status_code == 201, response.json()
    assert Contract.objects.get(reference=response.json()["reference"]).parties.filter(organisation=service_a).exists()
    assert post(dreets_agent, "/api/contracts", {"services": [idf_service.siret], "generation": 3}).status_code == 404
    assert post(dreets_agent, "/api/contracts", {"services": [service_a.pk]}).status_code == 422


def test_the_service_page_shows_what_the_api_recorded(dreets_agent, service_a, login):
    url = f"/api/services/{service_a.siret}/certifications"
    post(dreets_agent, url, {"level": "niveau_2", "certifier": "AFNOR Certification", "certified_on": "2025-05-02"})
    page = login(dreets_agent).get(f"/registre/{service_a.pk}/").content.decode()
    assert "Niveau 2 (valable 3 ans) par AFNOR Certification, obtenue le 02/05/2025, échéance le 01/05/2028" in page
