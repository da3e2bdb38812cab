"""Reports through the API: a service's software pushes the whole set of values with a version number."""

import pytest
from django.test import Client
from django.utils import timezone

from cpom.reports.enums import ReportStatus
from cpom.reports.expected import ensure_reports
from cpom.reports.models import Report
from cpom.reports.services import current_values
from tests.api.test_contracts_api import bearer
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def report(services, dreets_agent):
    sign(make_draft(services["A"], dreets_agent), dreets_agent)
    ensure_reports(YEAR)
    return Report.objects.get()


def put(client, report, headers, body):
    return client.put(f"/api/reports/{report.pk}/values", body, content_type="application/json", **headers)


def test_a_service_reads_fills_and_submits_its_report_through_the_api(report, spsti_referent):
    client, headers = Client(), bearer(spsti_referent)
    listed = client.get(f"/api/reports?year={YEAR}", **headers).json()
    assert [r["id"] for r in listed] == [report.pk]
    detail = client.get(f"/api/reports/{report.pk}", **headers).json()
    assert "ETAB_FORMES|TMS" in {cell["key"] for cell in detail["cells"]}
    response = put(client, report, headers, {"version": 1, "values": {"ETAB_FORMES|TMS": "15"}})
    assert response.status_code == 200 and response.json()["version"] == 2
    assert client.post(f"/api/reports/{report.pk}/submit", **headers).json()["status"] == "transmis"


def test_a_stale_write_gets_409_with_the_changes_and_overwrites_nothing(report, spsti_referent):
    client, headers = Client(), bearer(spsti_referent)
    put(client, report, headers, {"version": 1, "values": {"ETAB_FORMES|TMS": "15"}})
    stale = put(client, report, headers, {"version": 1, "values": {"ETAB_FORMES|TMS": "99"}})
    assert stale.status_code == 409
    body = stale.json()
    assert body["version"] == 2 and body["changes"][0]["after"] == "15"
    assert current_values(report) == {"ETAB_FORMES|TMS": "15"}


def test_the_whole_set_replaces_the_values_and_a_broken_rule_names_the_field(report, spsti_referent):
    client, headers = Client(), bearer(spsti_referent)
    put(client, report, headers, {"version": 1, "values": {"ETAB_FORMES|TMS": "15", "ETAB_FORMES_COG|TMS": "3"}})
    put(client, report, headers, {"version": 2, "values": {"ETAB_FORMES|TMS": "16"}})
    assert current_values(report) == {"ETAB_FORMES|TMS": "16"}
    refused = put(
        client, report, headers, {"version": 3, "values": {"ETAB_FORMES|TMS": "1", "ETAB_FORMES_COG|TMS": "2"}}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "ETAB_FORMES_COG|TMS"
    assert "ne peut dépasser son total" in refused.json()["errors"][0]["detail"]
    assert current_values(report) == {"ETAB_FORMES|TMS": "16"}


def test_agents_validate_through_the_api_and_others_cannot(report, spsti_referent, dreets_agent, other_spsti_referent):
    client = Client()
    put(client, report, bearer(spsti_referent), {"version": 1, "values": {"ETAB_FORMES|TMS": "1"}})
    client.post(f"/api/reports/{report.pk}/submit", **bearer(spsti_referent))
    refused = client.post(f"/api/reports/{report.pk}/validate", **bearer(spsti_referent))
    assert refused.status_code == 422 and "agents" in refused.json()["detail"]
    assert client.get(f"/api/reports/{report.pk}", **bearer(other_spsti_referent)).status_code == 404
    assert client.post(f"/api/reports/{report.pk}/validate", **bearer(dreets_agent)).json()["status"] == "valide"
    report.refresh_from_db()
    assert report.status == ReportStatus.VALIDATED
