"""The annual follow-up's e-mails, queued in the transaction of the change (cpom.notifications): report submitted
→ the reviewers of its contract; returned (with the comment) and validated → the service; deadline reminders →
the service. A service is only ever told about its own report: no other service's name or figure."""

from django.urls import reverse

from cpom.accounts.enums import Role
from cpom.accounts.models import User
from cpom.contracts.models import ContractParty
from cpom.notifications.services import queue, register

SUBMITTED = register(
    "report_submitted", "Un rapport annuel de mon périmètre est transmis", {Role.DREETS_AGENT, Role.CAISSE_AGENT}
)
RETURNED = register("report_returned", "Mon rapport annuel est renvoyé pour correction", {Role.SPSTI_REFERENT})
VALIDATED = register("report_validated", "Mon rapport annuel est validé", {Role.SPSTI_REFERENT})
REMINDER = register("report_reminder", "Relances avant et après la date limite du rapport", {Role.SPSTI_REFERENT})

REVIEWER_ROLES = (Role.DREETS_AGENT, Role.CAISSE_AGENT)


def reviewers(report):
    """The DREETS and caisse agents of the organisations party to the report's contract."""
    parties = ContractParty.objects.filter(contract_id=report.contract_id).values("organisation_id")
    return list(User.objects.filter(role__in=REVIEWER_ROLES, is_active=True, organisation_id__in=parties))


def service_users(report):
    return list(User.objects.filter(role=Role.SPSTI_REFERENT, is_active=True, organisation_id=report.spsti_id))


def _url(report) -> str:
    return reverse("reports:report_detail", args=[report.pk])


def report_submitted(report) -> None:
    queue(
        reviewers(report),
        kind=SUBMITTED.code,
        subject=f"Rapport annuel {report.year} transmis — {report.spsti.name}",
        text=(
            f"Le service {report.spsti.name} a transmis son rapport annuel {report.year} "
            f"(version {report.version}) au titre du contrat {report.contract.reference}.\n\n"
            "Il attend votre examen : validez-le ou renvoyez-le pour correction."
        ),
        url=_url(report),
        object_kind="report",
        object_id=report.pk,
    )


def report_returned(report, comment: str) -> None:
    queue(
        service_users(report),
        kind=RETURNED.code,
        subject=f"Votre rapport annuel {report.year} est renvoyé pour correction",
        text=(
            f"Votre rapport annuel {report.year} est renvoyé pour correction.\n\n"
            f"Commentaire du relecteur :\n{comment}\n\nCorrigez-le puis transmettez-le à nouveau."
        ),
        url=_url(report),
        object_kind="report",
        object_id=report.pk,
    )


def report_validated(report) -> None:
    queue(
        service_users(report),
        kind=VALIDATED.code,
        subject=f"Votre rapport annuel {report.year} est validé",
        text=f"Votre rapport annuel {report.year} (version {report.version}) est validé. Merci.",
        url=_url(report),
        object_kind="report",
        object_id=report.pk,
    )


def reminder(report, users, subject: str, text: str) -> None:
    queue(
        users,
        kind=REMINDER.code,
        subject=subject,
        text=text,
        url=_url(report),
        object_kind="report",
        object_id=report.pk,
    )
