import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cpom.core.csvfiles import CsvFormatError
from cpom.reports.csv_values import COLUMNS, import_values


class Command(BaseCommand):
    help = (
        f"Importe des valeurs de rapports annuels au format long ({';'.join(COLUMNS)}), UTF-8, « ; » ou « , ». "
        "Tout ou rien : une seule ligne fausse et rien n'est écrit."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            handle = file.open("rb")  # read as a stream: the importer holds one batch of rows at a time
        except OSError as error:
            raise CommandError(f"Impossible de lire {file} : {error.strerror}.") from error
        started = time.perf_counter()
        try:
            with handle:
                result = import_values(handle)
        except CsvFormatError as error:
            for line_error in error.errors[:200]:
                self.stderr.write(str(line_error))
            if error.total > len(error.errors[:200]):
                self.stderr.write(f"… et {error.total - len(error.errors[:200])} autres erreurs.")
            raise CommandError(f"{error.total} erreur(s) : rien n'a été importé.") from error
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.rows} lignes, {result.reports} rapports, {result.changed} valeurs modifiées "
                f"en {elapsed:.1f} s."
            )
        )
