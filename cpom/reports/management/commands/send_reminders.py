from django.core.management.base import BaseCommand
from django.utils import timezone

from cpom.core.parsing import parse_french_date
from cpom.reports.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Relance par courriel les services qui n'ont pas transmis leur rapport : 15 jours et 3 jours avant la date "
        "limite, puis le lendemain. À lancer chaque jour ; une seule relance par rapport et par étape."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="date du jour simulée, JJ/MM/AAAA (essais)")

    def handle(self, *args, date=None, **options):
        today = parse_french_date(date) if date else timezone.localdate()
        run = send_reminders(today)
        self.stdout.write(
            self.style.SUCCESS(f"{run.sent} relance(s) envoyée(s) ; {run.skipped_without_recipient} sans destinataire.")
        )
