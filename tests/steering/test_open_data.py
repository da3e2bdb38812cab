"""Open data: aggregates per region, theme and year, public, with a data dictionary; no service named."""

import pytest
from django.test import Client
from django.urls import reverse

from cpom.reports.models import ReportingCampaign
from cpom.steering.opendata import DICTIONARY
from tests.steering.test_consolidation import YEAR

pytestmark = pytest.mark.django_db


def test_the_open_data_file_is_public_and_holds_only_aggregates(year_of_reports, services):
    ReportingCampaign.objects.create(year=YEAR, opens_on=f"{YEAR + 1}-01-01", deadline=f"{YEAR + 1}-06-30")
    client = Client()
    page = client.get(reverse("steering:open_data")).content.decode()
    assert "Dictionnaire des données" in page and all(name in page for name, _ in DICTIONARY)
    content = client.get(reverse("steering:open_data") + f"?annee={YEAR}").content.decode("utf-8-sig")
    lines = [line.split(";") for line in content.splitlines()]
    assert lines[0] == [name for name, _ in DICTIONARY]
    national_tms = next(line for line in lines if line[1] == "FR" and line[3] == "TMS")
    assert national_tms[5:] == ["4", "3", "110"]
    for spsti in services.values():
        assert spsti.name not in content and spsti.siret not in content
    assert client.get(reverse("steering:open_data") + "?annee=1999").status_code == 404


def test_cells_built_from_fewer_than_three_services_are_suppressed_and_the_dictionary_says_so(
    year_of_reports, services
):
    """Issue 16, item 9: Île-de-France has one service, Bretagne two retaining TMS — their figures would be a named
    service's; the national row, built from three services, is published."""
    ReportingCampaign.objects.create(year=YEAR, opens_on=f"{YEAR + 1}-01-01", deadline=f"{YEAR + 1}-06-30")
    client = Client()
    content = client.get(reverse("steering:open_data") + f"?annee={YEAR}").content.decode("utf-8-sig")
    lines = {(line.split(";")[1], line.split(";")[3]): line.split(";") for line in content.splitlines()[1:]}
    assert lines[("11", "TMS")][5:] == ["1", "", ""], "one service in the region: nothing but the count"
    assert lines[("53", "TMS")][5:] == ["3", "2", ""], "two services retain TMS: their total is not published"
    assert lines[("FR", "TMS")][5:] == ["4", "3", "110"]
    page = client.get(reverse("steering:open_data")).content.decode()
    assert "Secret statistique" in page and "moins de 3 services" in page
