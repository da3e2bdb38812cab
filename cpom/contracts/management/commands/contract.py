"""Run a contract transition from the command line, as a given user (same guards as the pages and the API).

manage.py contract CPOM-53-G3-001 --by agent@dreets.gouv.fr consultation
manage.py contract CPOM-53-G3-001 --by agent@dreets.gouv.fr opinion crpst 12/03/2026 favorable
manage.py contract CPOM-53-G3-001 --by agent@dreets.gouv.fr sign CARSAT-BR 20/03/2026 "Directeur"
manage.py contract CPOM-53-G3-001 --by agent@dreets.gouv.fr show
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from cpom.accounts.models import User
from cpom.contracts import lifecycle
from cpom.contracts.document import contract_docx
from cpom.contracts.models import Contract
from cpom.core.errors import DomainError
from cpom.core.parsing import parse_french_date
from cpom.core.text import SHORT_TEXT, check_text


class Command(BaseCommand):
    help = "Fait franchir une étape à un contrat (consultation, avis, signature) au nom d'un utilisateur."

    def add_arguments(self, parser):
        parser.add_argument("reference", help="référence du contrat, par exemple CPOM-53-G3-001")
        parser.add_argument("--by", required=True, help="adresse électronique de l'utilisateur qui agit")
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("show", help="affiche l'état du contrat")
        sub.add_parser("consultation", help="envoie le contrat en consultation (R5, R6)")
        opinion = sub.add_parser("opinion", help="enregistre un avis (R4)")
        opinion.add_argument("body", choices=["crpst", "ars"])
        opinion.add_argument("date", help="JJ/MM/AAAA")
        opinion.add_argument("opinion", choices=["favorable", "reserve", "defavorable"])
        docx = sub.add_parser("docx", help="écrit le contrat au format Word")
        docx.add_argument("output", help="fichier .docx à écrire")
        sign = sub.add_parser("sign", help="enregistre la signature d'une partie (R2–R4)")
        sign.add_argument("party", help="code de l'organisation partie (ETAT-53, CARSAT-BR) ou SIRET du service")
        sign.add_argument("date", help="JJ/MM/AAAA")
        sign.add_argument("title", help="qualité du signataire")

    def handle(self, *args, reference, by, action, **options):
        user = User.objects.filter(email=by.lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"Aucun compte actif « {by} ».")
        contract = Contract.objects.visible_to(user).filter(reference=reference).first()
        if contract is None:
            raise CommandError(f"Contrat « {reference} » introuvable dans le périmètre de {by}.")
        if action == "docx":
            started = time.perf_counter()
            content = contract_docx(contract)
            Path(options["output"]).write_bytes(content)
            elapsed = (time.perf_counter() - started) * 1000
            self.stdout.write(f"{options['output']} : {len(content) // 1024} Ko, généré en {elapsed:.0f} ms.")
            return
        try:
            if action == "consultation":
                lifecycle.send_for_consultation(by=user, contract=contract, on=timezone.localdate())
            elif action == "opinion":
                lifecycle.record_opinion(
                    by=user,
                    contract=contract,
                    body=options["body"],
                    given_on=_date(options["date"]),
                    opinion=options["opinion"],
                )
            elif action == "sign":
                wanted = options["party"]
                party = contract.parties.filter(
                    Q(organisation__code=wanted) | Q(organisation__spsti__siret=wanted)
                ).first()
                if party is None:
                    raise CommandError(f"« {options['party']} » n'est pas partie au contrat {reference}.")
                lifecycle.record_signature(
                    by=user,
                    contract=contract,
                    party=party,
                    signed_on=_date(options["date"]),
                    signatory_title=check_text(options["title"], label="Qualité du signataire", limit=SHORT_TEXT),
                )
        except DomainError as error:
            raise CommandError(error.message) from error
        contract.refresh_from_db()
        self.stdout.write(f"{contract.reference} — {contract.get_status_display()}")
        for party in contract.parties.select_related("organisation"):
            state = f"signé le {party.signed_on:%d/%m/%Y}" if party.signed_on else "non signé"
            self.stdout.write(f"  {party.organisation} : {state}")


def _date(text: str):
    try:
        return parse_french_date(text)
    except ValueError as error:
        raise CommandError(str(error)) from error
