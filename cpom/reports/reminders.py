"""Reminders before the deadline (15 and 3 days before) and the day after it, to services that have not
submitted. Run daily (cron); idempotent: one e-mail per report and step, even if a day was missed."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from cpom.accounts.enums import Role
from cpom.accounts.models import User

from .enums import ReportStatus
from .expected import ensure_reports
from .models import Reminder, Report, ReportingCampaign
from .selectors import deadlines

Step = Reminder.Step


def step_on(today: dt.date, deadline: dt.date) -> str | None:
    if deadline - dt.timedelta(days=15) <= today < deadline - dt.timedelta(days=3):
        return Step.FIFTEEN_DAYS
    if deadline - dt.timedelta(days=3) <= today <= deadline:
        return Step.THREE_DAYS
    if deadline < today <= deadline + dt.timedelta(days=60):
        return Step.LATE
    return None


@dataclass(frozen=True)
class ReminderRun:
    sent: int
    skipped_without_recipient: int


def _message(report: Report, step: str, deadline: dt.date, today: dt.date) -> tuple[str, str]:
    if step == Step.LATE:
        subject = f"Rapport annuel {report.year} en retard — {report.spsti.name}"
        intro = (
            f"La date limite du {deadline:%d/%m/%Y} est passée et le rapport annuel {report.year} n'est pas transmis."
        )
    else:
        days = (deadline - today).days
        subject = f"Rapport annuel {report.year} à transmettre avant le {deadline:%d/%m/%Y}"
        intro = f"Le rapport annuel {report.year} de votre service est attendu au plus tard le {deadline:%d/%m/%Y}" + (
            f" (dans {days} jours)." if days > 0 else "."
        )
    body = (
        f"Bonjour,\n\n{intro}\n\nContrat : {report.contract.reference}\nÉtat : {report.get_status_display()}\n\n"
        f"Saisissez-le, déposez le modèle Excel ou transmettez-le par l'API depuis la plateforme CPOM.\n\n"
        "Ce message est envoyé automatiquement ; merci de ne pas y répondre."
    )
    return subject, body


def send_reminders(today: dt.date) -> ReminderRun:
    sent = skipped = 0
    for campaign_year in sorted(set(ReportingCampaign.objects.values_list("year", flat=True)) | {today.year - 1}):
        ensure_reports(campaign_year)
        deadline_of = deadlines(campaign_year)
        pending = (
            Report.objects.filter(year=campaign_year, status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED])
            .filter(first_submitted_at__isnull=True)
            .select_related("spsti", "contract")
        )
        messages, records = [], []
        already = set(Reminder.objects.filter(report__year=campaign_year).values_list("report_id", "step"))
        recipients_of: dict[int, list[str]] = {}
        for email, organisation_id in User.objects.filter(role=Role.SPSTI_REFERENT, is_active=True).values_list(
            "email", "organisation_id"
        ):
            recipients_of.setdefault(organisation_id, []).append(email)
        for report in pending:
            deadline = deadline_of(report.contract.region_id)
            step = step_on(today, deadline)
            if step is None or (report.pk, step) in already:
                continue
            recipients = recipients_of.get(report.spsti_id, [])
            if not recipients:
                skipped += 1
                continue
            subject, body = _message(report, step, deadline, today)
            messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, recipients))
            records.append(Reminder(report=report, step=step, recipients=", ".join(recipients)))
        with transaction.atomic():
            Reminder.objects.bulk_create(records)
            send_mass_mail(messages, fail_silently=False)
        sent += len(messages)
    return ReminderRun(sent=sent, skipped_without_recipient=skipped)
