from django.core.management.base import BaseCommand

from cpom.accounts.enums import Role
from cpom.accounts.models import User
from cpom.reports.csv_values import export_values


class Command(BaseCommand):
    help = "Exporte les valeurs d'une année au format long (annee;siret;theme;indicateur;valeur)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--region", default="")

    def handle(self, *args, year: int, region: str, **options):
        # The command line acts with the national scope of an administrator.
        self.stdout.write(export_values(User(role=Role.ADMIN, is_active=True), year=year, region=region), ending="")
