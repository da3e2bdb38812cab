"""Opening a year's collection through the API (national cell) or the command line: the owed reports are
created once, and a second call says there was nothing to create."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from cpom.reports.models import Report, ReportingCampaign
from tests.api.test_contracts_api import bearer
from tests.contracts.test_pages import make_draft, sign
from tests.steering.test_consolidation import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(services, dreets_agent, dreets_agent_other_region):
    sign(make_draft(services["A"], dreets_agent), dreets_agent)
    sign(make_draft(services["IDF"], dreets_agent_other_region), dreets_agent_other_region)


def test_the_national_cell_opens_a_year_and_a_second_call_creates_nothing(signed, national):
    first = Client().post(f"/api/collections/{YEAR}", **bearer(national))
    assert first.status_code == 200
    assert first.json() == {"year": YEAR, "campaign_created": True, "reports_created": 2, "reports_owed": 2}
    assert ReportingCampaign.objects.filter(year=YEAR, region=None).count() == 1
    again = Client().post(f"/api/collections/{YEAR}", **bearer(national)).json()
    assert again == {"year": YEAR, "campaign_created": False, "reports_created": 0, "reports_owed": 2}
    assert Report.objects.filter(year=YEAR).count() == 2


def test_only_the_national_cell_opens_a_collection(signed, dreets_agent, spsti_referent):
    for user in (dreets_agent, spsti_referent):
        response = Client().post(f"/api/collections/{YEAR}", **bearer(user))
        assert response.status_code == 403
        assert response.json()["detail"] == "Seule la cellule nationale ouvre la collecte d'une année."
    assert not Report.objects.exists()


@pytest.mark.parametrize("year", [0, 1999, YEAR + 1, 99999])
def test_a_year_that_cannot_be_collected_is_refused_in_french(signed, national, year):
    response = Client().post(f"/api/collections/{year}", **bearer(national))
    assert response.status_code == 422
    assert response.json()["field"] == "year" and "On ouvre la collecte" in response.json()["detail"]


def test_the_command_opens_a_collection_and_says_how_many(signed, capsys):
    call_command("open_collection", str(YEAR))
    assert capsys.readouterr().out.strip() == (
        f"Collecte {YEAR} : campagne nationale créée, 2 rapport(s) créé(s), 2 rapport(s) dus au total."
    )
    call_command("open_collection", str(YEAR))
    assert "déjà ouverte, 0 rapport(s) créé(s)" in capsys.readouterr().out
    with pytest.raises(CommandError, match="On ouvre la collecte"):
        call_command("open_collection", "1990")
