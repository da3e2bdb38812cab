from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cpom.core.csvfiles import CsvFormatError
from cpom.organisations import importers


class Command(BaseCommand):
    help = "Inscrit ou met à jour (par SIRET) les services d'un fichier CSV (tout ou rien).\n\n" + (
        importers.__doc__ or ""
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="fichier CSV (UTF-8, séparateur « ; » ou « , »)")

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        try:
            outcome = importers.import_registry(file.read_bytes())
        except CsvFormatError as error:
            for line_error in error.errors:
                self.stderr.write(f"  {line_error}")
            raise CommandError(
                f"Import refusé : {len(error.errors)} erreur(s), aucun service n'a été enregistré."
            ) from error
        message = f"{len(outcome.created)} service(s) inscrit(s) au registre."
        if outcome.updated:
            message += f" {len(outcome.updated)} service(s) mis à jour, {outcome.renewals} agrément(s) renouvelé(s)."
        self.stdout.write(self.style.SUCCESS(message))
