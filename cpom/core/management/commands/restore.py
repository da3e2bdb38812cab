from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cpom.core.backup import restore_backup
from cpom.core.errors import DomainError


class Command(BaseCommand):
    help = "Reconstruit une base neuve (migrée, vide) à partir d'une sauvegarde ; tout ou rien."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="archive écrite par « manage.py backup »")

    def handle(self, *args, archive: Path, **options):
        if not archive.is_file():
            raise CommandError(f"Fichier introuvable : {archive}")
        try:
            manifest = restore_backup(archive)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restauration faite : {manifest.rows} lignes dans {len(manifest.entries)} tables "
                f"(sauvegarde du {manifest.created_at})."
            )
        )
