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
