from django.core.management.base import BaseCommand

from cpom.reference.loader import load_reference


class Command(BaseCommand):
    help = (
        "Charge (ou met à jour) les référentiels : régions, départements, caisses, services de l'État, ARS, "
        "thématiques, indicateurs."
    )

    def handle(self, *args, **options):
        report = load_reference()
        self.stdout.write(self.style.SUCCESS(f"Référentiels à jour : {report}."))
