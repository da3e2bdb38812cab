"""A returned report: a general comment and comments on cells, shown at the top of the service's form."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cpom.core.errors import DomainError
from cpom.reports.models import Report, ReportingCampaign
from cpom.reports.services import return_for_correction, save_values, submit
from tests.conftest import assert_no_invalid_variable
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def submitted(services, dreets_agent, spsti_referent):
    contract = sign(make_draft(services["A"], dreets_agent), dreets_agent)
    ReportingCampaign.objects.create(year=YEAR, opens_on=dt.date(YEAR, 1, 1), deadline=dt.date(YEAR + 1, 6, 30))
    report = Report.objects.create(contract=contract, spsti=services["A"], year=YEAR)
    save_values(by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "4"}, version=report.version)
    return submit(by=spsti_referent, report=report)


def test_the_service_sees_the_general_comment_and_each_commented_cell_at_the_top(
    submitted, dreets_agent, spsti_referent, login
):
    response = login(dreets_agent).post(
        reverse("reports:report_return", args=[submitted.pk]),
        {"comment": "Deux chiffres à revoir.", "note:ETAB_FORMES|TMS": "4 établissements : vraiment ?"},
    )
    assert response.status_code == 302
    page = login(spsti_referent).get(reverse("reports:report_detail", args=[submitted.pk]))
    assert_no_invalid_variable(page)
    html = page.content.decode()
    alert = html[html.index('id="review-alert"') :]
    assert "Deux chiffres à revoir." in alert[:2000]
    assert "4 établissements : vraiment ?" in alert[:2000]
    assert 'href="#v-etab_formestms"' in alert[:2000]
    assert "cpom-noted" in html and "Relecteur : 4 établissements : vraiment ?" in html


def test_a_comment_on_a_cell_outside_the_report_is_refused_and_nothing_changes(submitted, dreets_agent):
    with pytest.raises(DomainError, match="ne fait pas partie du rapport"):
        return_for_correction(by=dreets_agent, report=submitted, comment="À revoir", cell_comments={"XYZ|": "?"})
    submitted.refresh_from_db()
    assert submitted.status == "transmis"


def test_the_api_takes_and_gives_the_comments_on_cells(submitted, dreets_agent, spsti_referent, login):
    answer = login(dreets_agent).post(
        f"/api/reports/{submitted.pk}/return",
        {"comment": "À revoir", "cell_comments": {"ETAB_FORMES|TMS": "Trop bas"}},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    detail = login(spsti_referent).get(f"/api/reports/{submitted.pk}").json()
    assert detail["review"]["comment"] == "À revoir"
    assert detail["review"]["cells"] == {"ETAB_FORMES|TMS": "Trop bas"}
