from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cpom.demo.generator import DEMO_PASSWORD, MissingReferenceData, load_demo


class Command(BaseCommand):
    help = (
        "Crée (une seule fois) le paysage de démonstration : environ 200 SPSTI, leurs agréments et projets de "
        "service, les PRST, les programmes de la COG, et un compte de démonstration par rôle."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="graine du générateur (défaut : 2026)")

    def handle(self, *args, seed: int, **options):
        try:
            report = load_demo(seed=seed)
        except MissingReferenceData as error:
            raise CommandError(str(error)) from error
        if report.created:
            # Planner statistics for the freshly loaded tables (what autovacuum / `PRAGMA optimize` would do).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        state = "créées" if report.created else "déjà présentes (inchangées)"
        counts = ", ".join(f"{count} {label}" for label, count in report.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Données de démonstration {state} : {counts}."))
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD}) :")
        width = max(len(email) for email, _, _ in report.accounts)
        for email, role, organisation in report.accounts:
            self.stdout.write(f"  {email.ljust(width)}  {role} — {organisation}")
