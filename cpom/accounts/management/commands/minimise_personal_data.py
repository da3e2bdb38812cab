from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from cpom.accounts.inactivity import deactivate_inactive_accounts, purge_sign_in_logs


class Command(BaseCommand):
    help = (
        "Minimisation des données personnelles, à lancer chaque jour (cron) : désactive les comptes sans connexion "
        "depuis INACTIVE_ACCOUNT_DAYS jours (180 par défaut ; jamais le dernier administrateur actif) et efface le "
        "journal des connexions plus ancien que AXES_LOG_RETENTION_DAYS jours (30 par défaut)."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        accounts = deactivate_inactive_accounts(now)
        for user in accounts:
            self.stdout.write(f"  désactivé : {user.email} (dernière connexion : {user.last_login or 'jamais'})")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(accounts)} compte(s) inactif(s) depuis {settings.INACTIVE_ACCOUNT_DAYS} jours désactivé(s)."
            )
        )
        deleted = purge_sign_in_logs(now)
        self.stdout.write(
            f"{deleted} ligne(s) du journal des connexions de plus de {settings.AXES_LOG_RETENTION_DAYS} jours "
            "effacée(s)."
        )
