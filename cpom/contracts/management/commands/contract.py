"""Run a contract transition from the command line, as a given user (same guards as the pages and the API).

manage.py contract CPOM-53-G3-001 --by agent@dreets.gouv.fr consultation
manage.py contract CPOM-53-G3-001 --by agent@dreets.gouv.fr opinion crpst 12/03/2026 favorable
manage.py contract CPOM-53-G3-001 --by agent@carsat.fr sign CARSAT-BR 20/03/2026 "Directeur"
manage.py contract CPOM-53-G3-001 --by agent@dreets.gouv.fr sign 12345678901234 20/03/2026 "Présidente" \
    --document contrat-signe.pdf                      # another party's signature: the signed document attached
manage.py contract CPOM-53-G3-001 --by agent@dreets.gouv.fr amendment modification "Objet de l'avenant"
manage.py contract CPOM-53-G3-001 --by agent@dreets.gouv.fr extension 31/12/2028 "Prolongation"
manage.py contract CPOM-53-G3-001 --by agent@dreets.gouv.fr sign-amendment 1 ETAT-53 20/03/2026 "Directeur"
manage.py contract CPOM-53-G3-001 --by agent@dreets.gouv.fr terminate SIRET 01/03/2027 01/06/2027 "Motif" "AR 1A…"
manage.py contract CPOM-53-G3-001 --by agent@dreets.gouv.fr show
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from cpom.accounts.models import User
from cpom.contracts import lifecycle
from cpom.contracts.attachments import AttachedDocument
from cpom.contracts.document import contract_docx
from cpom.contracts.enums import AmendmentKind
from cpom.contracts.models import Contract
from cpom.core.errors import DomainError
from cpom.core.parsing import parse_french_date
from cpom.core.text import LONG_TEXT, SHORT_TEXT, check_text


class Command(BaseCommand):
    help = (
        "Fait franchir une étape à un contrat (consultation, avis, signature, avenant, prolongation, signature "
        "d'avenant, dénonciation) au nom d'un utilisateur."
    )

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
        opinion.add_argument("--document", help="procès-verbal du CRPST ou courrier de l'ARS (PDF, PNG, JPEG)")
        docx = sub.add_parser("docx", help="écrit le contrat au format Word")
        docx.add_argument("output", help="fichier .docx à écrire")
        sign = sub.add_parser("sign", help="enregistre la signature d'une partie (R2–R4)")
        sign.add_argument("party", help="code de l'organisation partie (ETAT-53, CARSAT-BR) ou SIRET du service")
        sign.add_argument("date", help="JJ/MM/AAAA")
        sign.add_argument("title", help="qualité du signataire")
        sign.add_argument("--document", help="document signé, pour la signature d'une autre partie que la vôtre")
        amendment = sub.add_parser("amendment", help="ouvre un avenant de modification (R7)")
        amendment.add_argument("summary", help="objet de l'avenant")
        extension = sub.add_parser("extension", help="ouvre un avenant de prolongation (R2, R3, R7)")
        extension.add_argument("new_end", help="nouvelle date de fin JJ/MM/AAAA")
        extension.add_argument("summary", help="objet de l'avenant")
        sign_amendment = sub.add_parser("sign-amendment", help="signe un avenant pour une partie (R7)")
        sign_amendment.add_argument("number", type=int, help="numéro de l'avenant")
        sign_amendment.add_argument("party", help="code de l'organisation partie ou SIRET du service")
        sign_amendment.add_argument("date", help="JJ/MM/AAAA")
        sign_amendment.add_argument("title", help="qualité du signataire")
        sign_amendment.add_argument("--document", help="document signé, pour la signature d'une autre partie")
        terminate = sub.add_parser("terminate", help="enregistre la dénonciation du contrat (R8)")
        terminate.add_argument("party", help="partie qui dénonce : code de l'organisation ou SIRET du service")
        terminate.add_argument("notified", help="notifiée le JJ/MM/AAAA")
        terminate.add_argument("effective", help="prend effet le JJ/MM/AAAA")
        terminate.add_argument("reason", help="motif")
        terminate.add_argument("letter", help="référence du courrier recommandé avec AR")

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
                    document=_document(options["document"]),
                )
            elif action == "sign":
                lifecycle.record_signature(
                    by=user,
                    contract=contract,
                    party=_party(contract, options["party"]),
                    signed_on=_date(options["date"]),
                    signatory_title=check_text(options["title"], label="Qualité du signataire", limit=SHORT_TEXT),
                    document=_document(options["document"]),
                )
            elif action in ("amendment", "extension"):
                amendment = lifecycle.open_amendment(
                    by=user,
                    contract=contract,
                    kind=AmendmentKind.CHANGE if action == "amendment" else AmendmentKind.EXTENSION,
                    summary=check_text(options["summary"], label="Objet de l'avenant", limit=LONG_TEXT),
                    new_end=_date(options["new_end"]) if action == "extension" else None,
                    on=timezone.localdate(),
                )
                self.stdout.write(f"{amendment} ouvert : texte proposé en version {amendment.version.number}.")
            elif action == "sign-amendment":
                amendment = contract.amendments.filter(number=options["number"]).first()
                if amendment is None:
                    raise CommandError(f"Le contrat {reference} n'a pas d'avenant n° {options['number']}.")
                lifecycle.sign_amendment(
                    by=user,
                    amendment=amendment,
                    party=_party(contract, options["party"]),
                    signed_on=_date(options["date"]),
                    signatory_title=check_text(options["title"], label="Qualité du signataire", limit=SHORT_TEXT),
                    document=_document(options["document"]),
                )
            elif action == "terminate":
                lifecycle.terminate(
                    by=user,
                    contract=contract,
                    party=_party(contract, options["party"]),
                    notified_on=_date(options["notified"]),
                    effective_on=_date(options["effective"]),
                    reason=check_text(options["reason"], label="Motif", limit=LONG_TEXT),
                    registered_letter_reference=check_text(
                        options["letter"], label="Courrier recommandé", limit=SHORT_TEXT
                    ),
                )
        except DomainError as error:
            raise CommandError(error.message) from error
        contract.refresh_from_db()
        self.stdout.write(
            f"{contract.reference} — {contract.get_status_display()} — texte : {contract.current_version}"
        )
        for amendment in contract.amendments.order_by("number"):
            self.stdout.write(f"  {amendment} : {amendment.get_status_display()}")
        for party in contract.parties.select_related("organisation"):
            state = f"signé le {party.signed_on:%d/%m/%Y}" if party.signed_on else "non signé"
            self.stdout.write(f"  {party.organisation} : {state}")


def _party(contract: Contract, wanted: str):
    party = contract.parties.filter(Q(organisation__code=wanted) | Q(organisation__spsti__siret=wanted)).first()
    if party is None:
        raise CommandError(f"« {wanted} » n'est pas partie au contrat {contract.reference}.")
    return party


def _document(path: str | None) -> AttachedDocument | None:
    if not path:
        return None
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"Document « {path} » introuvable.")
    return AttachedDocument(name=file.name, data=file.read_bytes())


def _date(text: str):
    try:
        return parse_french_date(text)
    except ValueError as error:
        raise CommandError(str(error)) from error
