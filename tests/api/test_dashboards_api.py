"""Dashboards through the API: same figures, same scope."""

import pytest
from django.test import Client

from tests.api.test_contracts_api import bearer
from tests.steering.test_consolidation import YEAR

pytestmark = pytest.mark.django_db


def test_the_national_figures_come_through_the_api_for_the_national_cell_only(year_of_reports, national, dreets_agent):
    body = Client().get(f"/api/dashboards/national?year={YEAR}", **bearer(national)).json()
    assert body["national"]["themes"]["TMS"]["establishments_supported"] == 110
    assert body["53"]["employees_supported_pdp"] == 40
    with_submitted = Client().get(f"/api/dashboards/national?year={YEAR}&include_submitted=true", **bearer(national))
    assert with_submitted.json()["national"]["themes"]["TMS"]["establishments_supported"] == 115
    assert Client().get(f"/api/dashboards/national?year={YEAR}", **bearer(dreets_agent)).status_code == 403


def test_a_regional_dashboard_comes_through_the_api_within_scope(year_of_reports, dreets_agent, spsti_referent):
    body = Client().get(f"/api/dashboards/regions/53?year={YEAR}", **bearer(dreets_agent)).json()
    assert body["completeness"] == {"owed": 2, "submitted_or_validated": 2, "on_time": 2}
    assert body["coverage"] == {"3": [2, 3]}
    assert Client().get(f"/api/dashboards/regions/11?year={YEAR}", **bearer(dreets_agent)).status_code == 404
    assert Client().get(f"/api/dashboards/regions/53?year={YEAR}", **bearer(spsti_referent)).status_code == 403


def test_every_dashboard_table_comes_through_the_api_as_on_the_page(
    year_of_reports, national, dreets_agent, dreets_agent_other_region, spsti_referent
):
    national_tables = Client().get(f"/api/dashboards/national/tables?year={YEAR}", **bearer(national)).json()
    assert [t["slug"] for t in national_tables] == ["couverture", "tableau1", "completude", "indicateurs", "avancement"]
    coverage = national_tables[0]
    assert coverage["columns"] == ["Région", "Services agréés", "Sous contrat en vigueur", "Part sous contrat (%)"]
    assert ["Bretagne", 3, 2, pytest.approx(2 / 3)] in coverage["rows"]
    assert coverage["rows"][-1] == ["Total national", 4, 3, 0.75]
    url = f"/api/dashboards/regions/53/tables?year={YEAR}"
    regional = {t["slug"]: t for t in Client().get(url, **bearer(dreets_agent)).json()}
    assert regional["generations"]["rows"] == [["Génération 3", 2, 3, pytest.approx(2 / 3)]]
    assert Client().get(url, **bearer(dreets_agent_other_region)).status_code == 404
    assert Client().get(url, **bearer(spsti_referent)).status_code == 403
    national_url = f"/api/dashboards/national/tables?year={YEAR}"
    assert Client().get(national_url, **bearer(dreets_agent)).status_code == 403


def test_the_national_figures_list_every_region_zeros_included(year_of_reports, national):
    from cpom.territory.models import Region

    body = Client().get(f"/api/dashboards/national?year={YEAR}", **bearer(national)).json()
    assert set(body) == set(Region.objects.values_list("code", flat=True)) | {"national"}
    quiet = next(code for code in body if code not in ("53", "11", "national"))
    zero = {"total_services": 0, "services_retaining_theme": 0, "establishments_supported": 0}
    assert body[quiet]["themes"]["TMS"] == zero
    assert body[quiet]["services_retaining_pdp"] == 0


def test_the_pdp_row_counts_the_services_retaining_it(year_of_reports, national):
    """Every third-generation contract has a PDP axis: A and B in Bretagne, the Paris service, C has no contract."""
    body = Client().get(f"/api/dashboards/national?year={YEAR}", **bearer(national)).json()
    assert body["53"]["services_retaining_pdp"] == 2
    assert body["11"]["services_retaining_pdp"] == 1
    assert body["national"]["services_retaining_pdp"] == 3


@pytest.mark.parametrize("year", [0, -1, 99999, 1900])
def test_a_year_outside_those_held_is_refused_in_french_not_a_crash(year_of_reports, national, year):
    for url in ("/api/dashboards/national", "/api/dashboards/regions/53", "/api/dashboards/national/tables"):
        response = Client().get(f"{url}?year={year}", **bearer(national))
        assert response.status_code == 422, url
        assert "hors des années que tient la plateforme" in response.json()["detail"]
        assert response.json()["field"] == "year"
