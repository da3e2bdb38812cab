"""Dashboards: the figures of the consolidation module, in the user's scope only, live."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.steering.test_consolidation import YEAR

pytestmark = pytest.mark.django_db


def national_url(**params):
    query = "&".join(f"{k}={v}" for k, v in {"annee": YEAR, **params}.items())
    return reverse("steering:national") + "?" + query


def regional_url(code):
    return reverse("steering:regional", args=[code]) + f"?annee={YEAR}"


def test_the_national_dashboard_shows_tableau1_and_the_switch_counts_submitted_reports(
    year_of_reports, national, login
):
    client = login(national)
    page = client.get(national_url()).content.decode()
    assert "Tableau 1" in page and "Total national" in page
    assert "110 étab." in page, "validated reports: 10 in Bretagne + 100 in Paris for TMS"
    assert "115 étab." in client.get(national_url(transmis=1)).content.decode()


@pytest.mark.parametrize(
    ("persona", "national_status", "bretagne_status", "paris_status"),
    [
        ("national", 200, 200, 200),
        ("admin", 200, 200, 200),
        ("dreets_agent", 403, 200, 404),
        ("regional_pilot", 403, 200, 404),
        ("social_partner", 403, 200, 404),
        ("ars_reader", 403, 200, 404),
        ("dreets_agent_other_region", 403, 404, 200),
        ("spsti_referent", 403, 403, 403),
    ],
)
def test_each_role_opens_only_the_dashboards_of_its_scope(
    request, year_of_reports, login, persona, national_status, bretagne_status, paris_status
):
    client = login(request.getfixturevalue(persona))
    assert client.get(national_url()).status_code == national_status
    assert client.get(regional_url("53")).status_code == bretagne_status
    assert client.get(regional_url("11")).status_code == paris_status


def test_the_regional_dashboard_gives_completeness_and_the_themes(year_of_reports, dreets_agent, login):
    page = login(dreets_agent).get(regional_url("53")).content.decode()
    assert "2 / 2" in page  # reports submitted or validated / owed
    assert "Génération 3 : 2 services sous contrat en vigueur sur 3 services agréés" in page


def test_the_dashboards_make_as_many_queries_with_more_data(year_of_reports, national, dreets_agent, login):
    from tests.contracts.test_pages import make_draft, sign
    from tests.factories import ApprovalFactory, SpstiFactory

    client = login(national)

    def queries(url) -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    before = (queries(national_url()), queries(regional_url("53")))
    for department in ("22", "29", "56"):
        extra = SpstiFactory(department=department, departments=[department])
        ApprovalFactory(spsti=extra)
        sign(make_draft(extra, dreets_agent), dreets_agent)
    after = (queries(national_url()), queries(regional_url("53")))
    print(f"\nRequêtes SQL : national {before[0]} → {after[0]}, régional {before[1]} → {after[1]}")
    assert before == after
