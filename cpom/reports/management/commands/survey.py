from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cpom.core.csvfiles import CsvFormatError
from cpom.reports import survey


class Command(BaseCommand):
    help = (
        "Enquête annuelle de la DGT : exporte les indicateurs de l'annexe des contrats d'une année (CSV ou XLSX), "
        "ou importe un tel fichier dans les rapports (tout ou rien). Format : docs/schemas/enquete-annuelle."
    )

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        export = commands.add_parser("export", help="exporter une année")
        export.add_argument("year", type=int)
        export.add_argument("--xlsx", action="store_true", help="au format XLSX (CSV par défaut)")
        export.add_argument("-o", "--output", type=Path, help="fichier de sortie (sortie standard par défaut)")
        imported = commands.add_parser("import", help="importer un fichier")
        imported.add_argument("file", type=Path)

    def handle(self, *args, action: str, **options):
        if action == "export":
            year, output = options["year"], options.get("output")
            if options["xlsx"]:
                if output is None:
                    raise CommandError("Un export XLSX s'écrit dans un fichier : précisez -o FICHIER.")
                output.write_bytes(survey.export_xlsx(None, year))
            elif output is None:
                self.stdout.write(survey.export_csv(None, year), ending="")
            else:
                output.write_text(survey.export_csv(None, year), encoding="utf-8")
            return
        file = options["file"]
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        try:
            result = survey.import_survey(file.read_bytes())
        except CsvFormatError as error:
            for line_error in error.errors:
                self.stderr.write(f"  {line_error}")
            raise CommandError(f"Import refusé : {len(error.errors)} erreur(s), rien n'a été enregistré.") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.rows} valeur(s) lue(s), {result.reports} rapport(s), {result.changed} valeur(s) modifiée(s)."
            )
        )
