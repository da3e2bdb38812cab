"""Joint validation, per regional campaign: the DREETS and the caisse both accept; either returns."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cpom.reports.campaigns import open_reporting_campaign
from cpom.reports.enums import ReportStatus
from cpom.reports.models import Report
from cpom.reports.services import return_for_correction, save_values, submit, validate
from cpom.territory.models import Region
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def report(services, dreets_agent, caisse_agent, spsti_referent):
    contract = sign(make_draft(services["A"], dreets_agent), dreets_agent)
    report = Report.objects.create(contract=contract, spsti=services["A"], year=YEAR)
    save_values(by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "4"}, version=report.version)
    return submit(by=spsti_referent, report=report)


def joint(dreets_agent):
    open_reporting_campaign(by=dreets_agent, year=YEAR, region=Region.objects.get(code="53"), joint_validation=True)


def test_by_default_one_reviewer_validates(report, dreets_agent):
    open_reporting_campaign(by=dreets_agent, year=YEAR, region=Region.objects.get(code="53"))
    assert validate(by=dreets_agent, report=report).status == ReportStatus.VALIDATED


def test_under_joint_validation_both_must_accept_and_the_state_shows_who_did(report, dreets_agent, caisse_agent, login):
    joint(dreets_agent)
    assert validate(by=dreets_agent, report=report).status == ReportStatus.SUBMITTED
    detail = login(caisse_agent).get(f"/api/reports/{report.pk}").json()
    assert detail["joint_validation"] is True
    accepted = {a["organisation"]: a["at"] for a in detail["approvals"]}
    assert accepted[dreets_agent.organisation.name] is not None
    assert accepted[caisse_agent.organisation.name] is None
    page = login(caisse_agent).get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "Validation conjointe" in page and "en attente" in page
    answer = login(caisse_agent).post(f"/api/reports/{report.pk}/validate")
    assert answer.status_code == 200 and answer.json()["status"] == ReportStatus.VALIDATED


def test_under_joint_validation_either_returns_and_acceptances_start_over(
    report, dreets_agent, caisse_agent, spsti_referent
):
    joint(dreets_agent)
    validate(by=dreets_agent, report=report)
    return_for_correction(by=caisse_agent, report=report, comment="Le chiffre TMS est à revoir.")
    report.refresh_from_db()
    submit(by=spsti_referent, report=report)
    assert validate(by=caisse_agent, report=report).status == ReportStatus.SUBMITTED, (
        "the DREETS's went with the return"
    )
    assert validate(by=dreets_agent, report=report).status == ReportStatus.VALIDATED
