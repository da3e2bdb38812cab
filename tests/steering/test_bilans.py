"""The CRPST and CNPST bilans: printable pages from the consolidation module, in scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpom.steering.consolidation import contracts_signed
from tests.steering.test_consolidation import YEAR

pytestmark = pytest.mark.django_db


def test_contracts_signed_are_counted_per_region_and_generation(year_of_reports):
    assert contracts_signed(YEAR) == {"53": {3: 2}, "11": {3: 1}}
    assert contracts_signed(YEAR - 5) == {}


def test_the_national_bilan_gives_each_region_and_the_nation(year_of_reports, national, login):
    page = login(national).get(reverse("steering:national_bilan") + f"?annee={YEAR}").content.decode()
    assert "Comité national de prévention et de santé au travail" in page
    assert "2 de génération 3" in page and "1 de génération 3" in page
    assert "2 services dotés d'une cellule PDP ; 100 salariés accompagnés, dont 45 en parcours coordonné" in page


def test_the_regional_bilan_is_for_the_region_only(year_of_reports, social_partner, dreets_agent_other_region, login):
    url = reverse("steering:regional_bilan", args=["53"]) + f"?annee={YEAR}"
    page = login(social_partner).get(url).content.decode()
    assert "Bilan" in page and "3 services agréés" in page and "2 transmis ou validés sur 2 attendus" in page
    assert login(dreets_agent_other_region).get(url).status_code == 404
    assert login(social_partner).get(reverse("steering:national_bilan")).status_code == 403


def test_the_national_bilan_costs_a_fixed_number_of_queries(year_of_reports, national, login):
    client = login(national)
    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse("steering:national_bilan") + f"?annee={YEAR}").status_code == 200
    assert len(context.captured_queries) <= 25
