"""The home page is each role's to-do, in scope, with a constant number of queries; the same in the API."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cpom.contracts import lifecycle
from cpom.reports.enums import ReportStatus
from cpom.reports.models import Report, ReportingCampaign
from cpom.reports.services import return_for_correction, save_values, submit
from cpom.workspace.selectors import todo
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
YEAR = TODAY.year


@pytest.fixture
def campaign(services, dreets_agent):
    contracts = {key: sign(make_draft(services[key], dreets_agent), dreets_agent) for key in ("A", "B")}
    ReportingCampaign.objects.create(year=YEAR, opens_on=dt.date(YEAR, 1, 1), deadline=dt.date(YEAR + 1, 6, 30))
    from cpom.reports.expected import ensure_reports

    ensure_reports(YEAR)
    return contracts


def sections(user) -> dict:
    return {s.key: s for s in todo(user, TODAY)}


def test_a_service_sees_its_report_to_fill_with_its_deadline_and_what_is_still_empty(campaign, spsti_referent):
    line = sections(spsti_referent)["reports_to_fill"].lines[0]
    assert line.label == f"Rapport {YEAR} à saisir et transmettre"
    assert line.due == dt.date(YEAR + 1, 6, 30)
    assert "case(s) encore vide(s)" in line.detail
    report = (
        Report.objects.get(spsti__users=spsti_referent) if False else Report.objects.get(pk=line.url.split("/")[-2])
    )
    assert report.spsti_id == spsti_referent.organisation_id


def test_a_returned_report_shows_the_reviewers_comment_to_its_service_only(
    campaign, spsti_referent, other_spsti_referent, dreets_agent, login
):
    report = Report.objects.get(spsti=spsti_referent.organisation)
    save_values(by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "3"}, version=report.version)
    submit(by=spsti_referent, report=report)
    assert sections(dreets_agent)["reports_to_review"].count == 1
    return_for_correction(by=dreets_agent, report=report, comment="Le nombre d'établissements formés manque.")
    returned = sections(spsti_referent)["reports_returned"]
    assert returned.count == 1
    assert "Le nombre d'établissements formés manque." in returned.lines[0].detail
    other = sections(other_spsti_referent)
    assert other["reports_returned"].count == 0 and other["reports_to_fill"].count == 1
    page = login(other_spsti_referent).get(reverse("workspace:home")).content.decode()
    assert spsti_referent.organisation.name not in page
    assert "manque" not in page


def test_the_navigation_counts_what_is_to_do_behind_each_entry(campaign, spsti_referent, dreets_agent, login):
    report = Report.objects.get(spsti=spsti_referent.organisation)
    save_values(by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "3"}, version=report.version)
    submit(by=spsti_referent, report=report)
    items = {i["label"]: i for i in login(dreets_agent).get(reverse("workspace:home")).context["nav_items"]}
    assert items["Suivi annuel"]["count"] == 1
    page = login(dreets_agent).get(reverse("reports:report_list")).content.decode()
    assert "Suivi annuel (1)" in page


def test_an_agent_sees_late_reports_and_contracts_ready_to_sign(services, dreets_agent, spsti_referent):
    year = TODAY.year - 1
    contract = sign(make_draft(services["A"], dreets_agent), dreets_agent)
    Report.objects.create(contract=contract, spsti=services["A"], year=year)
    ReportingCampaign.objects.create(year=year, opens_on=dt.date(year, 1, 1), deadline=TODAY - dt.timedelta(days=1))
    late = sections(dreets_agent)["reports_late"]
    assert late.count == 1 and late.lines[0].label == f"Rapport {year} — {services['A'].name}"
    draft = make_draft(services["A"], dreets_agent)
    assert sections(spsti_referent)["drafts_to_comment"].count == 1
    lifecycle.send_for_consultation(by=dreets_agent, contract=draft, on=TODAY)
    assert sections(dreets_agent)["opinions_missing"].count == 1


def test_the_api_gives_the_same_to_do(campaign, spsti_referent, login):
    answer = login(spsti_referent).get("/api/todo").json()
    by_key = {s["key"]: s for s in answer}
    assert by_key["reports_to_fill"]["count"] == 1
    assert by_key["reports_to_fill"]["lines"][0]["due"] == f"{YEAR + 1}-06-30"


@pytest.mark.parametrize("persona", ["dreets_agent", "caisse_agent", "spsti_referent", "national", "ars_reader"])
def test_the_home_page_costs_the_same_queries_for_10_and_200_reports(
    persona, services, dreets_agent, spsti_referent, caisse_agent, national, ars_reader, login, request
):
    user = request.getfixturevalue(persona)
    contract = sign(make_draft(services["A"], dreets_agent), dreets_agent)

    def add(n, start):
        Report.objects.bulk_create(
            Report(
                contract=contract,
                spsti=services["A"],
                year=start + i,
                status=ReportStatus.SUBMITTED if i % 2 else ReportStatus.DRAFT,
                submitted_at=timezone.now() if i % 2 else None,
            )
            for i in range(n)
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert login(user).get(reverse("workspace:home")).status_code == 200
        return len(context.captured_queries)

    add(10, 1800)
    ten = queries()
    add(190, 1810)
    assert queries() == ten
