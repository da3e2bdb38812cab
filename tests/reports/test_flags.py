"""Review flags on hand-built cases, edge values included; the review desk, bulk validation and « Relancer »."""

import datetime as dt
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cpom.core.errors import DomainError
from cpom.notifications.models import OutgoingEmail
from cpom.reports import flags
from cpom.reports.enums import ReportStatus
from cpom.reports.models import Report, ReportingCampaign, Value
from cpom.reports.reminders import remind_now
from cpom.reports.services import validate_unflagged
from tests.conftest import assert_no_invalid_variable
from tests.contracts.test_pages import make_draft, sign
from tests.factories import ApprovalFactory, SpstiFactory

YEAR = timezone.localdate().year


@pytest.mark.parametrize(
    ("before", "now", "flagged"),
    [
        (20, 30, False),  # +50 % exactly: not over
        (20, 31, True),  # +55 %, 11 units
        (18, 28, True),  # +55 %, 10 units exactly: at least 10
        (10, 19, False),  # +90 % but 9 units
        (0, 10, True),  # from 0, a rise of 10
        (0, 9, False),
        (100, 49, True),  # -51 %
        (100, 50, False),  # -50 % exactly
        (None, 40, False),
    ],
)
def test_a_change_is_flagged_over_50_percent_and_at_least_10_units(before, now, flagged):
    assert flags.changed(before, now) is flagged


def test_the_percentile_interpolates_between_ranks():
    assert flags.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == pytest.approx(9.1)
    assert flags.percentile([5, 5, 5, 5, 5], 90) == 5


def test_a_whole_theme_of_dont_equal_to_their_totals_is_flagged_but_not_a_single_one():
    parents = {"CHILD1": "TOTAL", "CHILD2": "TOTAL"}
    copied = {"TOTAL|TMS": 12, "CHILD1|TMS": 12, "CHILD2|TMS": 12}
    assert {f.key for f in flags._copied_columns(copied, parents)} == {"CHILD1|TMS", "CHILD2|TMS"}
    one_differs = {"TOTAL|TMS": 12, "CHILD1|TMS": 12, "CHILD2|TMS": 3}
    assert flags._copied_columns(one_differs, parents) == []
    zeros = {"TOTAL|TMS": 0, "CHILD1|TMS": 0}
    assert flags._copied_columns(zeros, parents) == [], "all zero: nothing to see"


@pytest.fixture
def region(reference, dreets_agent, spsti_referent):
    """Six Breton services with a report this year and last year, in one signed contract each."""
    services = [spsti_referent.organisation]
    for n in range(5):
        services.append(
            SpstiFactory(name=f"Service breton {n}", department="35", departments=["35"], employees_followed=10_000)
        )
        ApprovalFactory(spsti=services[-1])
    ReportingCampaign.objects.create(year=YEAR, opens_on=dt.date(YEAR, 1, 1), deadline=dt.date(YEAR + 1, 6, 30))
    reports = {}
    for spsti in services:
        contract = sign(make_draft(spsti, dreets_agent), dreets_agent)
        for year in (YEAR - 1, YEAR):
            reports[(spsti.pk, year)] = Report.objects.create(
                contract=contract, spsti=spsti, year=year, status=ReportStatus.SUBMITTED, submitted_at=timezone.now()
            )
    return services, reports


def put(report, key, integer):
    indicator, _, theme = key.partition("|")
    Value.objects.create(report=report, indicator_id=indicator, theme_id=theme or None, integer=integer)


@pytest.mark.django_db
def test_the_flags_of_a_report_against_last_year_and_the_region(region):
    services, reports = region
    mine = services[0]
    mine.employees_followed = 10_000
    mine.save()
    for n, spsti in enumerate(services[1:]):
        put(reports[(spsti.pk, YEAR)], "ETAB_FORMES|TMS", 10 + n)  # 10…14 per 10 000
    put(reports[(mine.pk, YEAR - 1)], "ETAB_FORMES|TMS", 10)
    put(reports[(mine.pk, YEAR)], "ETAB_FORMES|TMS", 40)  # +300 %, 30 units, above the 90th percentile
    put(reports[(mine.pk, YEAR - 1)], "ETAB_ACCOMPAGNES|TMS", 7)  # emptied this year
    report = Report.objects.select_related("spsti", "contract").get(pk=reports[(mine.pk, YEAR)].pk)
    comparison = flags.compare([report])[report.pk]
    found = {(f.key, f.rule) for f in comparison.flags}
    assert found == {
        ("ETAB_FORMES|TMS", flags.CHANGE),
        ("ETAB_FORMES|TMS", flags.HIGH),
        ("ETAB_ACCOMPAGNES|TMS", flags.EMPTIED),
    }
    assert comparison.median_per["ETAB_FORMES|TMS"] == 12.5  # of the six: 10, 11, 12, 13, 14, 40


@pytest.mark.django_db
def test_fewer_than_five_peers_give_no_regional_comparison(region):
    services, reports = region
    for spsti in services[:4]:
        put(reports[(spsti.pk, YEAR)], "ETAB_FORMES|TMS", 10)
    report = Report.objects.select_related("spsti", "contract").get(pk=reports[(services[0].pk, YEAR)].pk)
    assert flags.compare([report])[report.pk].median_per == {}


@pytest.mark.django_db
def test_flags_cost_the_same_queries_for_one_report_and_for_twelve(region):
    services, reports = region
    for (spsti_id, year), report in reports.items():
        put(report, "ETAB_FORMES|TMS", spsti_id % 7 + year % 3)
    everything = list(Report.objects.select_related("spsti", "contract"))
    with CaptureQueriesContext(connection) as one:
        flags.compare(everything[:1])
    with CaptureQueriesContext(connection) as twelve:
        flags.compare(everything)
    assert len(one.captured_queries) == len(twelve.captured_queries) <= 5


@pytest.mark.django_db
def test_the_review_desk_shows_figures_last_year_and_the_flags_with_the_justification(
    region, spsti_referent, dreets_agent, login
):
    services, reports = region
    mine = reports[(services[0].pk, YEAR)]
    put(reports[(services[0].pk, YEAR - 1)], "ETAB_FORMES|TMS", 10)
    put(mine, "ETAB_FORMES|TMS", 40)
    mine.justifications.create(key="ETAB_FORMES|TMS", text="Nouvelle campagne TMS dans le BTP.", version=mine.version)
    page = login(dreets_agent).get(reverse("reports:review_desk", args=[mine.pk]))
    assert page.status_code == 200
    assert_no_invalid_variable(page)
    html = unescape(page.content.decode())
    assert flags.RULES[flags.CHANGE] in html and "Nouvelle campagne TMS dans le BTP." in html
    assert login(spsti_referent).get(reverse("reports:review_desk", args=[mine.pk])).status_code == 403


@pytest.mark.django_db
def test_the_confirmation_asks_a_justification_for_flagged_figures_and_the_reviewer_sees_it(
    region, spsti_referent, login
):
    services, reports = region
    mine = reports[(services[0].pk, YEAR)]
    Report.objects.filter(pk=mine.pk).update(status=ReportStatus.DRAFT, submitted_at=None)
    put(reports[(services[0].pk, YEAR - 1)], "ETAB_FORMES|TMS", 10)
    put(mine, "ETAB_FORMES|TMS", 40)
    client = login(spsti_referent)
    url = reverse("reports:report_submit", args=[mine.pk])
    confirm = client.get(url).content.decode()
    assert "Chiffres signalés" in confirm and 'name="justification:ETAB_FORMES|TMS"' in confirm
    assert "Service breton" not in confirm, "no peer's name"
    client.post(url, {"justification:ETAB_FORMES|TMS": "Un nouvel adhérent de 3 000 salariés."})
    mine.refresh_from_db()
    assert mine.status == ReportStatus.SUBMITTED
    assert mine.justifications.get().text == "Un nouvel adhérent de 3 000 salariés."


@pytest.mark.django_db
def test_bulk_validation_leaves_flagged_reports_to_review(region, dreets_agent):
    services, reports = region
    flagged = reports[(services[1].pk, YEAR)]
    put(reports[(services[1].pk, YEAR - 1)], "ETAB_FORMES|TMS", 5)  # emptied this year
    clean = reports[(services[2].pk, YEAR)]
    put(clean, "ETAB_FORMES|TMS", 3)
    result = validate_unflagged(by=dreets_agent, report_ids=[flagged.pk, clean.pk])
    assert (result.validated, result.flagged) == (1, 1)
    assert Report.objects.get(pk=clean.pk).status == ReportStatus.VALIDATED
    assert Report.objects.get(pk=flagged.pk).status == ReportStatus.SUBMITTED


@pytest.mark.django_db
def test_relancer_queues_the_reminder_now_and_at_most_once_a_day(region, dreets_agent, spsti_referent):
    services, reports = region
    late = reports[(services[0].pk, YEAR)]
    Report.objects.filter(pk=late.pk).update(status=ReportStatus.DRAFT, submitted_at=None)
    assert remind_now(by=dreets_agent, report=late) == 1
    assert OutgoingEmail.objects.get(kind="report_reminder").recipient == spsti_referent.email
    with pytest.raises(DomainError, match="une relance par jour"):
        remind_now(by=dreets_agent, report=late)
    assert OutgoingEmail.objects.count() == 1
