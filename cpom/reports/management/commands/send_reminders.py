from django.core.management.base import BaseCommand
from django.utils import timezone

from cpom.core.parsing import parse_french_date
from cpom.notifications.services import send_pending
from cpom.reports.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Relance par courriel les services qui n'ont pas transmis leur rapport : 15 jours et 3 jours avant la date "
        "limite, puis le lendemain. À lancer chaque jour ; une seule relance par rapport et par étape. Les relances "
        "passent par la boîte d'envoi (send_notifications) et respectent les préférences de chacun."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="date du jour simulée, JJ/MM/AAAA (essais)")

    def handle(self, *args, date=None, **options):
        today = parse_french_date(date) if date else timezone.localdate()
        run = send_reminders(today)
        send_pending()  # the reminders wait in the outbox like every message; send them now (cron, not a request)
        self.stdout.write(
            self.style.SUCCESS(f"{run.sent} relance(s) envoyée(s) ; {run.skipped_without_recipient} sans destinataire.")
        )
