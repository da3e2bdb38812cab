"""E-mail notifications: queued in the transaction of the change, sent by `send_notifications` through SMTP,
retried when the server is down, never sent twice; each user chooses immediate, daily digest or none."""

import datetime as dt
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cpom.notifications.models import Delivery, NotificationPreference, OutgoingEmail
from cpom.notifications.services import send_pending
from cpom.reports.models import Report, ReportingCampaign
from cpom.reports.services import return_for_correction, save_values, submit, validate
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def report(services, dreets_agent, caisse_agent, spsti_referent, other_spsti_referent):
    contract = sign(make_draft(services["A"], dreets_agent), dreets_agent)
    ReportingCampaign.objects.create(year=YEAR, opens_on=dt.date(YEAR, 1, 1), deadline=dt.date(YEAR + 1, 6, 30))
    report = Report.objects.create(contract=contract, spsti=services["A"], year=YEAR)
    save_values(by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "4"}, version=report.version)
    return Report.objects.get(pk=report.pk)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def smtp_settings(port: int):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_TIMEOUT=5,
    )


def submit_through_the_form(login, user, report):
    response = login(user).post(
        reverse("reports:report_detail", args=[report.pk]),
        {"version": report.version, "ETAB_FORMES|TMS": "4", "transmettre": "1"},
    )
    assert response.status_code == 302
    assert login(user).post(reverse("reports:report_submit", args=[report.pk])).status_code == 302


def test_submitting_queues_one_message_per_reviewer_and_the_request_sends_nothing(
    report, spsti_referent, dreets_agent, login
):
    submit_through_the_form(login, spsti_referent, report)
    assert mail.outbox == [], "the request never talks to the mail server"
    queued = OutgoingEmail.objects.filter(object_kind="report", object_id=report.pk)
    assert dreets_agent.email in {m.recipient for m in queued}
    assert spsti_referent.email not in {m.recipient for m in queued}
    message = queued.get(recipient=dreets_agent.email)
    assert message.sent_at is None and message.kind == "report_submitted"
    assert reverse("reports:report_detail", args=[report.pk]) in message.body_text
    assert "<html" in message.body_html


def test_a_refused_change_queues_nothing(report, dreets_agent):
    with pytest.raises(Exception):  # noqa: B017, PT011 — only the service submits
        submit(by=dreets_agent, report=report)
    assert not OutgoingEmail.objects.filter(object_kind="report").exists()


def test_messages_go_through_a_real_smtp_server_with_a_text_and_an_html_part(report, spsti_referent, dreets_agent):
    submit(by=spsti_referent, report=report)
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with smtp_settings(port):
            run = send_pending()
    finally:
        controller.stop()
    assert run.sent == OutgoingEmail.objects.count() >= 1
    received = [e for e in inbox.messages if dreets_agent.email in e.rcpt_tos]
    assert len(received) == 1
    content = received[0].content.decode()
    assert "text/plain" in content and "text/html" in content
    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()


def test_with_the_smtp_server_down_the_request_succeeds_and_the_message_arrives_once_later(
    report, spsti_referent, dreets_agent, login
):
    port = free_port()  # nothing listens there yet
    with smtp_settings(port):
        submit_through_the_form(login, spsti_referent, report)
        failed = send_pending()
    assert failed.sent == 0 and failed.failed >= 1
    row = OutgoingEmail.objects.get(recipient=dreets_agent.email)
    assert row.sent_at is None and row.attempts == 1 and row.last_error
    assert row.next_attempt_at > timezone.now(), "retried later, not at once"

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with smtp_settings(port):
            assert send_pending().sent == 0, "not before its next attempt"
            later = timezone.now() + dt.timedelta(hours=1)
            assert send_pending(now=later).sent >= 1
            assert send_pending(now=later + dt.timedelta(days=1)).sent == 0, "never twice"
    finally:
        controller.stop()
    assert len([e for e in inbox.messages if dreets_agent.email in e.rcpt_tos]) == 1
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 2


def test_returned_and_validated_tell_the_service_and_only_it(
    report, spsti_referent, other_spsti_referent, dreets_agent
):
    submit(by=spsti_referent, report=report)
    return_for_correction(by=dreets_agent, report=report, comment="Précisez le nombre d'établissements.")
    returned = OutgoingEmail.objects.get(kind="report_returned")
    assert returned.recipient == spsti_referent.email
    assert "Précisez le nombre d'établissements." in returned.body_text
    submit(by=spsti_referent, report=report)
    validate(by=dreets_agent, report=report)
    assert OutgoingEmail.objects.get(kind="report_validated").recipient == spsti_referent.email
    assert not OutgoingEmail.objects.filter(recipient=other_spsti_referent.email).exists()


def test_each_user_chooses_immediate_digest_or_nothing(report, spsti_referent, dreets_agent, caisse_agent, login):
    page = login(dreets_agent).post(reverse("notifications:preferences"), {"report_submitted": Delivery.DIGEST})
    assert page.status_code == 302
    NotificationPreference.objects.create(user=caisse_agent, kind="report_submitted", delivery=Delivery.NONE)
    submit(by=spsti_referent, report=report)
    assert not OutgoingEmail.objects.filter(recipient=caisse_agent.email).exists()
    assert send_pending().sent == 0, "the digest waits for the daily run"
    run = send_pending(digest=True)
    assert run.digests == 1 and len(mail.outbox) == 1
    assert "résumé du jour" in mail.outbox[0].subject


def test_the_command_sends_the_queue(report, spsti_referent, capsys):
    submit(by=spsti_referent, report=report)
    call_command("send_notifications")
    assert "courriel(s) envoyé(s)" in capsys.readouterr().out
    assert len(mail.outbox) == OutgoingEmail.objects.filter(sent_at__isnull=False).count() >= 1


def test_a_contract_sent_for_consultation_tells_the_ars_and_the_crpst_then_the_parties_to_sign(
    services, dreets_agent, ars_reader, social_partner, spsti_referent, login
):
    contract = make_draft(services["A"], dreets_agent)
    response = login(dreets_agent).post(reverse("contracts:send_for_consultation", args=[contract.pk]))
    assert response.status_code == 302
    told = set(OutgoingEmail.objects.filter(kind="contract_consultation").values_list("recipient", flat=True))
    assert told == {ars_reader.email, social_partner.email}
    from cpom.contracts import lifecycle
    from tests.contracts.builders import scan

    lifecycle.record_opinion(
        by=dreets_agent,
        contract=contract,
        body="crpst",
        given_on=timezone.localdate(),
        opinion="favorable",
        document=scan("pv.pdf"),
    )
    lifecycle.record_opinion(
        by=ars_reader, contract=contract, body="ars", given_on=timezone.localdate(), opinion="favorable"
    )
    owed = set(OutgoingEmail.objects.filter(kind="contract_signature_owed").values_list("recipient", flat=True))
    assert spsti_referent.email in owed and dreets_agent.email in owed


def test_the_contracts_history_lists_its_emails_for_agents(services, dreets_agent, ars_reader, login):
    contract = make_draft(services["A"], dreets_agent)
    login(dreets_agent).post(reverse("contracts:send_for_consultation", args=[contract.pk]))
    page = login(dreets_agent).get(reverse("contracts:contract_detail", args=[contract.pk]) + "?onglet=historique")
    html = page.content.decode()
    assert "Courriels envoyés" in html and ars_reader.email in html
