"""Reminders at 15 and 3 days before the deadline and the day after, once per report and step."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cpom.notifications.services import send_pending
from cpom.reports.models import Reminder, Report, ReportingCampaign
from cpom.reports.reminders import send_reminders, step_on
from cpom.reports.services import save_values, submit
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
DEADLINE = dt.date(YEAR + 1, 6, 30)


@pytest.fixture
def reports(services, dreets_agent, spsti_referent, other_spsti_referent):
    for key in ("A", "B"):
        sign(make_draft(services[key], dreets_agent), dreets_agent)
    ReportingCampaign.objects.create(year=YEAR, opens_on=dt.date(YEAR + 1, 1, 1), deadline=DEADLINE)


@pytest.mark.parametrize(
    ("day", "step"),
    [
        (DEADLINE - dt.timedelta(days=16), None),
        (DEADLINE - dt.timedelta(days=15), "j-15"),
        (DEADLINE - dt.timedelta(days=4), "j-15"),
        (DEADLINE - dt.timedelta(days=3), "j-3"),
        (DEADLINE, "j-3"),
        (DEADLINE + dt.timedelta(days=1), "retard"),
    ],
)
def test_the_step_follows_the_deadline(day, step):
    assert step_on(day, DEADLINE) == step


def test_services_that_have_not_submitted_get_one_email_per_step(reports, services, spsti_referent):
    assert Report.objects.filter(year=YEAR).count() == 0
    first = send_reminders(DEADLINE - dt.timedelta(days=15))
    assert not mail.outbox, "queued in the outbox, not sent by the caller"
    send_pending()
    assert Report.objects.filter(year=YEAR).count() == 2, "the owed reports are created on the way"
    assert first.sent == 2
    assert {tuple(m.to) for m in mail.outbox} == {("referent-a@cpom.test",), ("referent-b@cpom.test",)}
    assert "avant le 30/06" in mail.outbox[0].subject
    assert send_reminders(DEADLINE - dt.timedelta(days=14)).sent == 0, "idempotent"
    report_a = Report.objects.get(spsti=services["A"])
    save_values(by=spsti_referent, report=report_a, values={"ETAB_FORMES|TMS": "1"}, version=1)
    submit(by=spsti_referent, report=report_a)
    assert send_reminders(DEADLINE - dt.timedelta(days=3)).sent == 1
    late = send_reminders(DEADLINE + dt.timedelta(days=1))
    send_pending()
    assert late.sent == 1 and "en retard" in mail.outbox[-1].subject
    assert Reminder.objects.count() == 4


def test_the_command_prints_what_it_sent(reports):
    out = StringIO()
    call_command("send_reminders", "--date", (DEADLINE - dt.timedelta(days=3)).strftime("%d/%m/%Y"), stdout=out)
    assert "2 relance(s) envoyée(s)" in out.getvalue()
