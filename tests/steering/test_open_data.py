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
