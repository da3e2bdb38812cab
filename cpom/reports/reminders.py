"""Reminders before the deadline (15 and 3 days before) and the day after it, to services that have not
submitted. Run daily (cron); idempotent: one e-mail per report and step, even if a day was missed."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from cpom.accounts.enums import Role
from cpom.accounts.models import User

from . import notifications
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
        f"{intro}\n\nContrat : {report.contract.reference}\nÉtat : {report.get_status_display()}\n\n"
        "Saisissez-le, déposez le modèle Excel ou transmettez-le par l'API depuis la plateforme CPOM."
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
        recipients_of: dict[int, list] = {}
        for user in User.objects.filter(role=Role.SPSTI_REFERENT, is_active=True):
            recipients_of.setdefault(user.organisation_id, []).append(user)
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
            messages.append((report, recipients, subject, body))
            records.append(Reminder(report=report, step=step, recipients=", ".join(u.email for u in recipients)))
        with transaction.atomic():  # queued in the outbox with their record: sent by `send_notifications`
            Reminder.objects.bulk_create(records)
            for report, recipients, subject, body in messages:
                notifications.reminder(report, recipients, subject, body)
        sent += len(messages)
    return ReminderRun(sent=sent, skipped_without_recipient=skipped)


@transaction.atomic
def remind_now(*, by, report: Report) -> int:
    """« Relancer »: queue the reminder for the service's people now; at most once a day per report (whatever
    sent the last one). Returns how many people it was queued for."""
    from datetime import timedelta

    from django.utils import timezone

    from cpom.core.errors import DomainError
    from cpom.core.permissions import Perm
    from cpom.notifications.models import OutgoingEmail

    from .selectors import deadline_for
    from .services import reports_visible_to

    if not by.can(Perm.REPORT_REVIEW) or not reports_visible_to(by).filter(pk=report.pk).exists():
        raise DomainError("Seuls les agents de la DREETS ou de la caisse parties au contrat relancent ce service.")
    report = Report.objects.select_for_update().select_related("spsti", "contract").get(pk=report.pk)
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise DomainError("Ce rapport est transmis : il n'y a personne à relancer.")
    since = timezone.now() - timedelta(days=1)
    if OutgoingEmail.objects.filter(
        kind=notifications.REMINDER.code, object_kind="report", object_id=report.pk, created_at__gte=since
    ).exists():
        raise DomainError("Ce service a déjà été relancé dans les dernières 24 heures : une relance par jour au plus.")
    today = timezone.localdate()
    deadline = deadline_for(report.year, report.contract.region_id)
    step = Step.LATE if today > deadline else Step.THREE_DAYS
    subject, body = _message(report, step, deadline, today)
    users = notifications.service_users(report)
    notifications.reminder(report, users, subject, body)
    return len(users)
