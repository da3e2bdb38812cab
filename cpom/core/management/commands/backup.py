from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from cpom.core.backup import write_backup


class Command(BaseCommand):
    help = "Écrit une sauvegarde cohérente de toutes les données métier (archive zip avec manifeste et empreintes)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sortie",
            type=Path,
            default=None,
            help="fichier à écrire (défaut : var/sauvegardes/cpom-AAAAMMJJ-HHMMSS.zip)",
        )

    def handle(self, *args, sortie: Path | None, **options):
        path = sortie or Path("var/sauvegardes") / f"cpom-{timezone.localtime():%Y%m%d-%H%M%S}.zip"
        manifest = write_backup(path)
        size = path.stat().st_size / 1024
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde écrite : {path} ({manifest.rows} lignes, {len(manifest.entries)} tables, {size:.0f} Ko)."
            )
        )
