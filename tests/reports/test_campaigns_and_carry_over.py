"""Reporting campaigns (national, regional dates) and last year's comments carried over in one click."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cpom.core.errors import DomainError
from cpom.reports.campaigns import open_reporting_campaign
from cpom.reports.expected import ensure_reports
from cpom.reports.models import Report, ReportingCampaign
from cpom.reports.selectors import deadline_for
from cpom.reports.services import carry_over_comments, current_values, save_values
from cpom.territory.models import Region
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def contract(services, dreets_agent):
    return sign(make_draft(services["A"], dreets_agent), dreets_agent)


def test_the_national_campaign_is_opened_by_an_administrator_and_creates_the_owed_reports(
    contract, admin, dreets_agent
):
    with pytest.raises(DomainError, match="administrateur"):
        open_reporting_campaign(by=dreets_agent, year=YEAR)
    campaign = open_reporting_campaign(by=admin, year=YEAR)
    assert (campaign.opens_on, campaign.deadline) == (dt.date(YEAR + 1, 1, 1), dt.date(YEAR + 1, 6, 30))
    assert Report.objects.filter(year=YEAR).count() == 1


def test_a_region_sets_its_own_deadline_within_its_scope(contract, admin, dreets_agent, dreets_agent_other_region):
    open_reporting_campaign(by=admin, year=YEAR)
    bretagne = Region.objects.get(code="53")
    with pytest.raises(DomainError, match="agents de la région"):
        open_reporting_campaign(by=dreets_agent_other_region, year=YEAR, region=bretagne)
    with pytest.raises(DomainError, match="suivre l'ouverture"):
        open_reporting_campaign(
            by=dreets_agent,
            year=YEAR,
            region=bretagne,
            opens_on=dt.date(YEAR + 1, 2, 1),
            deadline=dt.date(YEAR + 1, 1, 1),
        )
    open_reporting_campaign(by=dreets_agent, year=YEAR, region=bretagne, deadline=dt.date(YEAR + 1, 9, 30))
    assert deadline_for(YEAR, "53") == dt.date(YEAR + 1, 9, 30)
    assert deadline_for(YEAR, "11") == dt.date(YEAR + 1, 6, 30)
    assert ReportingCampaign.objects.count() == 2


def test_the_campaign_page_lists_and_opens_campaigns_for_agents_only(contract, dreets_agent, spsti_referent, login):
    page = login(dreets_agent).post(
        reverse("reports:campaign_list"), {"year": YEAR, "region": "53", "deadline": f"30/09/{YEAR + 1}"}
    )
    assert page.status_code == 302
    assert "30/09" in login(dreets_agent).get(reverse("reports:campaign_list")).content.decode()
    assert login(spsti_referent).post(reverse("reports:campaign_list"), {"year": YEAR}).status_code == 403


def test_last_years_comments_are_carried_over_into_empty_ones_only(contract, spsti_referent):
    Report.objects.create(contract=contract, spsti=contract.parties.get(role="spsti").organisation.spsti, year=YEAR - 1)
    ensure_reports(YEAR)
    last, this = Report.objects.get(year=YEAR - 1), Report.objects.get(year=YEAR)
    save_values(
        by=spsti_referent, report=last, values={"COMMENTAIRE|TMS": "Bilan TMS", "COMMENTAIRE|PDP": "Cellule"}, version=1
    )
    save_values(by=spsti_referent, report=this, values={"COMMENTAIRE|PDP": "Déjà écrit"}, version=1)
    carry_over_comments(by=spsti_referent, report=this, version=2)
    values = current_values(this)
    assert values["COMMENTAIRE|TMS"] == "Bilan TMS"
    assert values["COMMENTAIRE|PDP"] == "Déjà écrit"
