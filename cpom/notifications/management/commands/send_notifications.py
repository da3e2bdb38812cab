from django.core.management.base import BaseCommand

from cpom.notifications.services import send_pending


class Command(BaseCommand):
    help = (
        "Envoie les courriels en attente (à lancer chaque minute par cron) ; avec --resume, envoie aussi le résumé "
        "quotidien de chaque destinataire (à lancer une fois par jour). Un envoi en échec est réessayé plus tard."
    )

    def add_arguments(self, parser):
        parser.add_argument("--resume", action="store_true", help="envoyer aussi les résumés quotidiens")

    def handle(self, *args, **options):
        run = send_pending(digest=options["resume"])
        self.stdout.write(
            f"{run.sent} courriel(s) envoyé(s), {run.digests} résumé(s), {run.failed} échec(s) à réessayer."
        )
