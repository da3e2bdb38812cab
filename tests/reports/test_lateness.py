"""One definition of lateness (DESIGN §5): first submitted after the deadline, or not submitted and past it."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from cpom.reports.enums import ReportStatus
from cpom.reports.expected import ensure_reports
from cpom.reports.lateness import OVERDUE, SUBMITTED_LATE, lateness
from cpom.reports.models import Report, ReportingCampaign
from cpom.reports.selectors import late_filter, report_rows
from tests.contracts.test_pages import make_draft, sign

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DEADLINE = dt.date(2025, 6, 30)


def paris(year, month, day, hour, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("first_submitted_at", "today", "expected"),
    [
        (None, DEADLINE, None),
        (None, DEADLINE + dt.timedelta(days=1), OVERDUE),
        (paris(2025, 6, 30, 23, 30), DEADLINE + dt.timedelta(days=10), None),
        # 00:30 in Paris on 1 July is still 30 June in UTC: late all the same (the old list said on time).
        (paris(2025, 7, 1, 0, 30), DEADLINE + dt.timedelta(days=10), SUBMITTED_LATE),
        (paris(2025, 6, 1, 9), DEADLINE - dt.timedelta(days=10), None),
    ],
)
def test_a_report_is_late_when_first_submitted_after_the_deadline_or_not_submitted_past_it(
    first_submitted_at, today, expected
):
    assert lateness(first_submitted_at, DEADLINE, today) == expected


@pytest.mark.django_db
def test_the_list_and_the_queryset_filter_agree_on_which_reports_are_late(
    services, dreets_agent, dreets_agent_other_region, national
):
    year = timezone.localdate().year
    deadline = dt.date(year + 1, 6, 30)
    for key, agent in (("A", dreets_agent), ("B", dreets_agent), ("IDF", dreets_agent_other_region)):
        sign(make_draft(services[key], agent), agent)
    ReportingCampaign.objects.create(year=year, opens_on=dt.date(year + 1, 1, 1), deadline=deadline)
    ensure_reports(year)
    a, b, c = (Report.objects.get(year=year, spsti=services[k]) for k in ("A", "B", "IDF"))
    Report.objects.filter(pk=a.pk).update(
        status=ReportStatus.VALIDATED, first_submitted_at=paris(year + 1, 7, 1, 0, 30), submitted_at=timezone.now()
    )
    Report.objects.filter(pk=b.pk).update(status=ReportStatus.SUBMITTED, first_submitted_at=paris(year + 1, 6, 30, 23))
    today = deadline + dt.timedelta(days=2)
    rows = {row.report.pk: row.lateness for row in report_rows(national, year, today=today)}
    assert rows == {a.pk: SUBMITTED_LATE, b.pk: None, c.pk: OVERDUE}
    assert set(Report.objects.filter(late_filter(year, today)).values_list("pk", flat=True)) == {a.pk, c.pk}
