from django.core.management.base import BaseCommand, CommandError

from cpom.core.errors import DomainError
from cpom.reports.campaigns import open_collection


class Command(BaseCommand):
    help = (
        "Ouvre la collecte nationale d'une année : sa campagne (dates par défaut) si elle manque et les rapports "
        "dus. Sans effet au second appel."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)

    def handle(self, *args, year: int, **options):
        try:
            opened = open_collection(by=None, year=year)
        except DomainError as error:
            raise CommandError(error.message) from error
        campaign = "campagne nationale créée" if opened.campaign_created else "campagne nationale déjà ouverte"
        self.stdout.write(
            self.style.SUCCESS(
                f"Collecte {year} : {campaign}, {opened.reports_created} rapport(s) créé(s), "
                f"{opened.reports_owed} rapport(s) dus au total."
            )
        )
