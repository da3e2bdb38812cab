"""Queue messages (inside the caller's transaction) and send the queue (the `send_notifications` command).

Kinds of messages are declared next to their domain (e.g. `cpom/reports/notifications.py`) with `register`;
this module knows nothing of reports or contracts. Why a plain table and a command rather than a task library
(django-tasks, Celery): the message must be written in the same transaction as the change (a refused change
sends nothing, an accepted one is never forgotten), the volume is small (a few thousand messages a year), the
platform already runs its daily commands by cron, and a table is what the object's history reads anyway; no
broker or worker process to run.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Delivery, NotificationPreference, OutgoingEmail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12  # then the message stays in the outbox with its error, for an administrator to look at
FIRST_RETRY = dt.timedelta(minutes=2)  # doubled at each failure…
LONGEST_WAIT = dt.timedelta(hours=6)  # …up to six hours


@dataclass(frozen=True)
class Kind:
    code: str
    label: str  # in French, as the « Mes notifications » page lists it
    roles: frozenset[str]  # the roles that may receive it (the page shows only these)


KINDS: dict[str, Kind] = {}


def register(code: str, label: str, roles) -> Kind:
    kind = Kind(code, label, frozenset(roles))
    KINDS[code] = kind
    return kind


def kinds_for(user) -> list[Kind]:
    return [kind for kind in KINDS.values() if user.role in kind.roles]


def delivery_of(user, kind: str) -> str:
    pref = NotificationPreference.objects.filter(user=user, kind=kind).values_list("delivery", flat=True).first()
    return pref or Delivery.IMMEDIATE


@transaction.atomic
def set_preferences(user, choices: dict[str, str]) -> None:
    for kind in kinds_for(user):
        delivery = choices.get(kind.code)
        if delivery in Delivery.values:
            NotificationPreference.objects.update_or_create(user=user, kind=kind.code, defaults={"delivery": delivery})


def absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url


def queue(
    users, *, kind: str, subject: str, text: str, url: str = "", object_kind: str = "", object_id=None
) -> list[OutgoingEmail]:
    """One message per active user, as each wants this kind (immediately, in the daily digest, or not at all).
    Call it inside the transaction of the change: rolled back with it. Sends nothing itself."""
    users = [u for u in users if u.is_active and u.email]
    if not users:
        return []
    prefs = dict(NotificationPreference.objects.filter(user__in=users, kind=kind).values_list("user_id", "delivery"))
    link = absolute(url) if url else ""
    body_text = (
        f"Bonjour,\n\n{text}\n\n"
        + (f"Pour y accéder : {link}\n\n" if link else "")
        + (
            "Ce message est envoyé automatiquement par la plateforme CPOM ; merci de ne pas y répondre. "
            f"Vos préférences : {absolute('/comptes/notifications/')}"
        )
    )
    body_html = render_to_string(
        "notifications/email.html",
        {
            "subject": subject,
            "paragraphs": text.split("\n\n"),
            "link": link,
            "settings_url": absolute("/comptes/notifications/"),
        },
    )
    rows = []
    for user in users:
        delivery = prefs.get(user.pk, Delivery.IMMEDIATE)
        if delivery == Delivery.NONE:
            continue
        rows.append(
            OutgoingEmail(
                user=user,
                recipient=user.email,
                kind=kind,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                object_kind=object_kind,
                object_id=object_id,
                delivery=delivery,
            )
        )
    return OutgoingEmail.objects.bulk_create(rows)


@dataclass
class SendRun:
    sent: int = 0
    failed: int = 0
    digests: int = 0


def _pending(now):
    pending = OutgoingEmail.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=now)
    if connection.features.has_select_for_update_skip_locked:
        return pending.select_for_update(skip_locked=True)
    return pending.select_for_update()  # SQLite: the whole database is locked by a write anyway


def _failed(rows: list[OutgoingEmail], error: Exception, now) -> None:
    for row in rows:
        row.attempts += 1
        row.last_error = f"{type(error).__name__}: {error}"[:2000]
        row.next_attempt_at = now + min(FIRST_RETRY * 2 ** (row.attempts - 1), LONGEST_WAIT)
        row.save(update_fields=["attempts", "last_error", "next_attempt_at"])


def _digest_message(rows: list[OutgoingEmail]) -> EmailMultiAlternatives:
    parts = [f"— {row.subject}\n\n{row.body_text.split('Ce message est envoyé')[0].strip()}" for row in rows]
    body = f"Bonjour,\n\nVoici le résumé de vos {len(rows)} notification(s) de la plateforme CPOM.\n\n" + "\n\n".join(
        parts
    )
    html = render_to_string("notifications/digest.html", {"rows": rows})
    message = EmailMultiAlternatives(
        f"Plateforme CPOM — résumé du jour ({len(rows)} notification(s))", body, to=[rows[0].recipient]
    )
    message.attach_alternative(html, "text/html")
    return message


def send_pending(*, now=None, digest: bool = False, batch: int = 200) -> SendRun:
    """Send what is due; with `digest`, also each recipient's daily digest (one message for all their rows).
    Each message is locked, sent and marked in its own transaction: a crash sends at most the one in flight
    again, never the whole queue; a failure is retried later with a growing delay."""
    now = now or timezone.now()
    run = SendRun()
    smtp = get_connection(fail_silently=False)
    try:
        for _ in range(batch):
            with transaction.atomic():
                row = _pending(now).filter(delivery=Delivery.IMMEDIATE).order_by("next_attempt_at", "pk").first()
                if row is None:
                    break
                message = EmailMultiAlternatives(row.subject, row.body_text, to=[row.recipient], connection=smtp)
                if row.body_html:
                    message.attach_alternative(row.body_html, "text/html")
                try:
                    message.send()
                except Exception as error:  # noqa: BLE001 — any SMTP or network failure: retried later
                    log.warning("Envoi du courriel %s impossible : %s", row.pk, error)
                    _failed([row], error, now)
                    run.failed += 1
                    smtp = get_connection(fail_silently=False)
                    continue
                row.sent_at, row.attempts = timezone.now(), row.attempts + 1
                row.save(update_fields=["sent_at", "attempts"])
                run.sent += 1
        if digest:
            due = OutgoingEmail.objects.filter(
                sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=now, delivery=Delivery.DIGEST
            )
            for recipient in list(due.values_list("recipient", flat=True).order_by("recipient").distinct()):
                with transaction.atomic():
                    rows = list(_pending(now).filter(delivery=Delivery.DIGEST, recipient=recipient).order_by("pk"))
                    if not rows:
                        continue
                    message = _digest_message(rows)
                    message.connection = smtp
                    try:
                        message.send()
                    except Exception as error:  # noqa: BLE001
                        _failed(rows, error, now)
                        run.failed += 1
                        smtp = get_connection(fail_silently=False)
                        continue
                    sent = timezone.now()
                    for row in rows:
                        row.sent_at, row.attempts = sent, row.attempts + 1
                    OutgoingEmail.objects.bulk_update(rows, ["sent_at", "attempts"])
                    run.digests += 1
    finally:
        try:
            smtp.close()
        except Exception:  # noqa: BLE001, S110
            pass
    return run


def history(object_kind: str, object_id: int):
    """The messages recorded about one object (who, what, when), oldest first."""
    return OutgoingEmail.objects.filter(object_kind=object_kind, object_id=object_id).select_related("user")
