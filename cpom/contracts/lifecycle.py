"""A contract's life as guarded functions (DESIGN §5): draft → consultation → ready to sign → in force →
expired | terminated, and amendments. Pages, API and commands call these; a refusal raises `DomainError` naming
the rule and changes nothing (each function runs in one transaction and checks before writing).

A contract's content lives in versions (`versions.py`): the draft while in negotiation, then each signed version; an
amendment edits its own working copy, which becomes the version in force only at the last signature (R7). Each party
signs and gives its opinion for itself, from an account of its own organisation; an agent records another party's
act only with the signed document attached, and the record says so."""

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cpom.accounts.enums import Role
from cpom.core.dates import add_years
from cpom.core.errors import DomainError
from cpom.core.journal import journal, record
from cpom.core.models import ChangeAction, SubjectKind
from cpom.core.permissions import Perm
from cpom.indicators.enums import IndicatorScope, ThemeScope
from cpom.indicators.models import Indicator, Theme
from cpom.organisations.enums import OrganisationKind
from cpom.organisations.models import Approval, Organisation, Spsti
from cpom.organisations.parties import cpom_parties

from . import notifications
from .attachments import AttachedDocument, evidence_fields
from .enums import (
    AmendmentKind,
    AmendmentStatus,
    AxisKind,
    ConsultedBody,
    ContractStatus,
    EvidenceMethod,
    PartyRole,
)
from .models import (
    Amendment,
    AmendmentSignature,
    Axis,
    Campaign,
    Consultation,
    Contract,
    ContractIndicator,
    ContractParty,
    ContractVersion,
    Signature,
    Termination,
)
from .signals import contract_ended
from .versions import copy_version, current_hash, new_draft, sign_version, version_label

MAX_YEARS = 5

THIRD_GENERATION_AXES = [
    (1, AxisKind.PDP, "Prévention de la désinsertion professionnelle et maintien dans l'emploi"),
    (2, AxisKind.PREVENTION, "Prévention d'au moins un risque professionnel"),
    (3, AxisKind.INTERCONNAISSANCE, "Maintien de l'interconnaissance entre les organismes de prévention régionaux"),
]

EARLIER_GENERATION_AXES = [
    (1, AxisKind.PREVENTION, "Prévention des risques professionnels prioritaires"),
    (2, AxisKind.PDP, "Maintien dans l'emploi et prévention de la désinsertion professionnelle"),
]


# --- guards shared by the transitions ---------------------------------------------------------------------------
def _require(by, perm: Perm, contract: Contract | None = None) -> None:
    if by is None or not by.can(perm):
        raise DomainError("Votre rôle ne permet pas cette opération sur un contrat.")
    if contract is None or _sees_everything(by):
        return
    if not Contract.objects.visible_to(by).filter(pk=contract.pk).exists():
        raise DomainError("Ce contrat n'est pas dans votre périmètre.")


def _sees_everything(by) -> bool:
    return by.scope.is_nation and by.role != Role.SOCIAL_PARTNER


def _step(by, contract: Contract, what: str, **details: str) -> None:
    """Journals a step of the contract's life: its state before and after, and the step's particulars."""
    before = {"État": details.pop("previous_status", "")}
    after = {"État": contract.get_status_display(), **details}
    record(
        by=by,
        kind=SubjectKind.CONTRACT,
        subject_id=contract.pk,
        what=what,
        before=before,
        after=after,
        action=ChangeAction.TRANSITION,
        version=contract.version,
    )


def _lock(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().get(pk=contract.pk)


def editable_version(contract: Contract) -> ContractVersion:
    """The version whose text may change now: the draft of a contract in negotiation, or the working copy of an
    open amendment that no party has signed yet. A signed version never changes (R7)."""
    if contract.status == ContractStatus.DRAFT:
        return contract.current_version
    if contract.status == ContractStatus.IN_FORCE:
        amendment = contract.amendments.filter(status=AmendmentStatus.OPEN).select_related("version").first()
        if amendment is not None:
            if amendment.kind != AmendmentKind.CHANGE:
                raise DomainError(
                    f"L'avenant n° {amendment.number} est une prolongation : il ne change que la date de fin "
                    "(règle R7). Pour modifier le contenu, ouvrez un avenant de modification une fois celui-ci signé.",
                    rule="R7",
                )
            signed = amendment.signatures.select_related("party__organisation").first()
            if signed is not None:
                raise DomainError(
                    f"{signed.party} a déjà signé l'avenant n° {amendment.number} : son texte ne change plus "
                    "(règle R7).",
                    rule="R7",
                )
            return amendment.version
    if contract.is_signed:
        raise DomainError(
            "Un contrat signé ne se modifie que par avenant (règle R7) : ouvrez d'abord un avenant.", rule="R7"
        )
    raise DomainError(
        f"Le contrat est « {contract.get_status_display()} » : il ne se modifie qu'en négociation. "
        "Revenez en négociation pour le modifier."
    )


def current_approval(spsti: Spsti, on: dt.date) -> Approval | None:
    return spsti.approvals.filter(start__lte=on, end__gte=on).order_by("-start").first()


def _duration_error(start: dt.date, end: dt.date) -> str | None:
    if end <= start:
        return f"La fin du contrat ({end:%d/%m/%Y}) doit suivre son entrée en vigueur ({start:%d/%m/%Y})."
    last_day = add_years(start, MAX_YEARS) - dt.timedelta(days=1)
    if end > last_day:
        return (
            f"Un CPOM dure au plus 5 ans, prolongations comprises (règle R2) : entré en vigueur le "
            f"{start:%d/%m/%Y}, il doit finir au plus tard le {last_day:%d/%m/%Y}."
        )
    return None


def _approval_end_error(contract: Contract, end: dt.date, on: dt.date) -> str | None:
    for party in contract.parties.filter(role=PartyRole.SPSTI).select_related("organisation__spsti"):
        spsti = party.organisation.spsti
        approval = current_approval(spsti, on)
        if approval is None:
            return (
                f"{spsti} n'a pas d'agrément en cours au {on:%d/%m/%Y} : pas de contrat sans agrément valide "
                "(règle R3)."
            )
        if end > approval.end:
            return (
                f"Le contrat ne peut finir ({end:%d/%m/%Y}) après la fin de l'agrément de {spsti} "
                f"({approval.end:%d/%m/%Y}) (règle R3)."
            )
    return None


def third_generation_errors(contract: Contract, version: ContractVersion | None = None) -> list[str]:
    """R5 and R6: what a third-generation contract (or the text of an amendment) must contain before it leaves
    negotiation or is signed."""
    errors = []
    version = version or contract.current_version
    axes = list(version.axes.prefetch_related("actions"))
    if contract.generation >= 3:
        if not any(axis.kind == AxisKind.PDP for axis in axes):
            errors.append("Un CPOM de troisième génération comporte un axe de prévention de la désinsertion (R5).")
        prevention_themes = {
            action.theme_id
            for axis in axes
            if axis.kind == AxisKind.PREVENTION
            for action in axis.actions.all()
            if action.theme_id
        }
        regional = set()
        if contract.campaign_id:
            regional = set(contract.campaign.priority_themes.values_list("code", flat=True))
        allowed = regional or set(Theme.objects.filter(scope=ThemeScope.PREVENTION).values_list("code", flat=True))
        if not prevention_themes & allowed:
            errors.append(
                "Un CPOM de troisième génération retient au moins une thématique de prévention de la liste "
                "régionale, portée par une fiche action de l'axe « prévention » (R5)."
            )
    if not version.pdp_cell_composition.strip():
        errors.append("Le contrat doit préciser la composition minimale de la cellule PDP du service (R6).")
    return errors


# --- creation and content ---------------------------------------------------------------------------------------
@transaction.atomic
def create_draft(
    *, by, services: list[Spsti], campaign: Campaign | None = None, generation: int | None = None, on: dt.date
) -> Contract:
    _require(by, Perm.CONTRACT_EDIT)
    if not services:
        raise DomainError("Choisissez au moins un service.", field="services")
    visible = set(Spsti.objects.visible_to(by).filter(pk__in=[s.pk for s in services]).values_list("pk", flat=True))
    outside = [s for s in services if s.pk not in visible]
    if outside:
        raise DomainError(f"{outside[0]} n'est pas dans votre périmètre.", field="services")
    regions = {s.region_id for s in services}
    if len(regions) > 1:
        raise DomainError(
            "Un contrat régional réunit des services d'une même région (règle R1).", field="services", rule="R1"
        )
    region_id = regions.pop()
    if campaign is not None and campaign.region_id != region_id:
        raise DomainError("La campagne choisie n'est pas celle de la région des services.", field="campaign")
    generation = campaign.generation if campaign is not None else generation
    if not generation:
        raise DomainError("Précisez la génération du contrat.", field="generation")

    parties: dict[int, tuple] = {}
    for spsti in services:
        found = cpom_parties(spsti)
        parties.setdefault(spsti.pk, (spsti, PartyRole.SPSTI))
        parties.setdefault(found.state_office.pk, (found.state_office, PartyRole.STATE))
        for caisse in found.caisses:
            parties.setdefault(caisse.pk, (caisse, PartyRole.CAISSE))
    approvals = [current_approval(spsti, on) for spsti in services]
    planned_end = min((a.end for a in approvals if a), default=None)

    sequence = Contract.objects.filter(region_id=region_id, generation=generation).count() + 1
    names = services[0].name if len(services) == 1 else f"régional {services[0].region}"
    contract = Contract.objects.create(
        campaign=campaign,
        region_id=region_id,
        generation=generation,
        reference=_free_reference(region_id, generation, sequence),
        title=f"CPOM {names} — génération {generation}",
        negotiation_started_on=on,
        planned_end=planned_end,
    )
    version = new_draft(contract, label="Projet de contrat", on=on)
    contract.current_version = version
    contract.save(update_fields=["current_version"])
    ContractParty.objects.bulk_create(
        ContractParty(contract=contract, organisation=organisation, role=role)
        for organisation, role in parties.values()
    )
    frame = THIRD_GENERATION_AXES if generation >= 3 else EARLIER_GENERATION_AXES
    Axis.objects.bulk_create(
        Axis(version=version, number=number, kind=kind, title=title) for number, kind, title in frame
    )
    sync_indicators(version)
    _step(
        by,
        contract,
        "Ouverture de la négociation",
        Référence=contract.reference,
        Parties=", ".join(str(organisation) for organisation, _ in parties.values()),
    )
    return contract


def _free_reference(region_id: str, generation: int, sequence: int) -> str:
    while True:
        reference = f"CPOM-{region_id}-G{generation}-{sequence:03d}"
        if not Contract.objects.filter(reference=reference).exists():
            return reference
        sequence += 1


def contract_themes(version: ContractVersion) -> set[str]:
    rows = list(version.axes.values_list("kind", "actions__theme_id"))
    themes = {theme for _, theme in rows if theme}
    kinds = {kind for kind, _ in rows}
    if AxisKind.PDP in kinds:
        themes.add("PDP")
    if AxisKind.INTERCONNAISSANCE in kinds:
        themes.add("INTERCO")
    return themes


def sync_indicators(version: ContractVersion) -> None:
    """Attach the national and regional catalogue indicators of the version's themes (one row per theme);
    remove those of themes no longer retained. Contract-specific indicators are left alone."""
    contract = version.contract
    themes = contract_themes(version)
    wanted = set()
    catalogue = Indicator.objects.filter(scope=IndicatorScope.NATIONAL) | Indicator.objects.filter(
        scope=IndicatorScope.REGIONAL, region_id=contract.region_id
    )
    for code, theme in catalogue.filter(themes__code__in=themes).values_list("code", "themes__code"):
        if theme in themes:
            wanted.add((code, theme))
    existing = {
        (row.indicator_id, row.theme_id): row
        for row in version.indicators.exclude(indicator__scope=IndicatorScope.CONTRACT)
    }
    for key, row in existing.items():
        if key not in wanted:
            row.delete()
    ContractIndicator.objects.bulk_create(
        ContractIndicator(version=version, indicator_id=code, theme_id=theme)
        for code, theme in sorted(wanted - set(existing))
    )


def check_version(contract: Contract, seen: str | int | None) -> None:
    """Refuses a change made from a page showing an older version of the contract, naming what changed since
    (who, when, before → after). Locks the contract row: the check and the change are one transaction. Pages and
    the API always send the version they showed; a form without it is refused (it cannot be told fresh from stale).
    Commands and the API act on the state they read in the same transaction and do not call it."""
    if seen in (None, ""):
        raise DomainError(
            "Le formulaire ne dit pas quelle version du contrat il modifie : rechargez la page, vérifiez puis "
            "enregistrez de nouveau.",
            field="version",
            rule="version",
        )
    try:
        seen = int(seen)
    except (TypeError, ValueError) as error:
        raise DomainError("Le formulaire a été altéré (version illisible) : rechargez la page.") from error
    current = Contract.objects.select_for_update().values_list("version", flat=True).get(pk=contract.pk)
    if current == seen:
        return
    lines = []
    for change in journal(SubjectKind.CONTRACT, contract.pk).filter(subject_version__gt=seen).order_by("at", "pk"):
        author = change.by.get_full_name() if change.by else "la plateforme"
        details = ", ".join(f"{c['champ']} : « {c['avant'] or '—'} » → « {c['apres'] or '—'} »" for c in change.changes)
        lines.append(f"{change.what} ({author}, le {change.at:%d/%m/%Y à %H:%M}){' — ' + details if details else ''}")
    raise DomainError(
        "Ce contrat a été modifié depuis que vous avez ouvert cette page : "
        + ("; ".join(lines) or "modification sans détail")
        + ". Vos saisies sont conservées : vérifiez-les, puis enregistrez de nouveau pour les appliquer.",
        rule="version",
    )


def check_editable(*, by, contract: Contract) -> ContractVersion:
    """Raise unless `by` may change the content of `contract` now; returns the version to change, with its
    contract re-read and locked for the rest of the transaction (a contract signed meanwhile is not edited from a
    stale copy)."""
    _require(by, Perm.CONTRACT_EDIT, contract)
    contract = _lock(contract)
    version = editable_version(contract)
    version.contract = contract
    return version


def _party_of(contract: Contract, party: ContractParty) -> ContractParty:
    found = contract.parties.filter(pk=party.pk).first()
    if found is None:
        raise DomainError("Cette organisation n'est pas partie au contrat.", field="party")
    return found


# --- transitions ------------------------------------------------------------------------------------------------
@transaction.atomic
def send_for_consultation(*, by, contract: Contract, on: dt.date) -> Contract:
    _require(by, Perm.CONTRACT_EDIT, contract)
    contract = _lock(contract)
    if contract.status != ContractStatus.DRAFT:
        raise DomainError("Seul un contrat en négociation peut être envoyé en consultation.")
    errors = third_generation_errors(contract)
    if errors:
        raise DomainError(" ".join(errors), rule="R5" if "R5" in errors[0] else "R6")
    # R3 whatever is filled in: a service without a valid approval today cannot enter a contract, and the planned
    # end (by default the approval's end) may not pass it.
    error = _approval_end_error(contract, contract.planned_end or on, on)
    if error:
        raise DomainError(error, rule="R3")
    contract.status = ContractStatus.CONSULTATION
    contract.save(update_fields=["status", "updated_at"])
    _step(by, contract, "Envoi en consultation (CRPST et ARS)", previous_status=ContractStatus.DRAFT.label)
    notifications.sent_for_consultation(contract)
    return contract


@transaction.atomic
def back_to_negotiation(*, by, contract: Contract) -> Contract:
    _require(by, Perm.CONTRACT_EDIT, contract)
    contract = _lock(contract)
    if contract.status not in (ContractStatus.CONSULTATION, ContractStatus.READY):
        raise DomainError("Seul un contrat en consultation ou prêt à signer peut revenir en négociation.")
    if contract.parties.filter(signed_on__isnull=False).exists():
        raise DomainError("Une partie a déjà signé : le contrat ne peut plus revenir en négociation.")
    previous = contract.get_status_display()
    opinions = "; ".join(f"{c.get_body_display()} : {c.get_opinion_display()}" for c in contract.consultations.all())
    contract.consultations.all().delete()
    contract.status = ContractStatus.DRAFT
    contract.save(update_fields=["status", "updated_at"])
    _step(by, contract, "Retour en négociation", previous_status=previous, **{"Avis retirés": opinions})
    return contract


def _acts_for(by, organisation, *, document: AttachedDocument | None, act: str) -> bool:
    """Whether `by` records `act` on behalf of `organisation` (True) or for its own organisation (False). Each party
    acts for itself (DESIGN §5); an agent may record another party's act only with the signed document attached."""
    if by.organisation_id == organisation.pk:
        return False
    if not by.can(Perm.CONTRACT_EDIT):
        raise DomainError(f"Seuls les comptes de {organisation} peuvent {act} pour elle.", rule="partie")
    if document is None:
        raise DomainError(
            f"Vous n'êtes pas de {organisation} : pour {act} pour son compte, joignez le document signé (scan ou PDF "
            "signé électroniquement). Chaque partie agit pour elle-même ; un agent n'enregistre l'acte d'une autre "
            "partie qu'avec sa preuve.",
            field="document",
            rule="partie",
        )
    return True


def _evidence(by, *, on_behalf: bool, document: AttachedDocument | None, version: ContractVersion, scan_method: str):
    """Who records, in which capacity, and the document: a PAdES PDF must carry the hash of `version`'s text."""
    expected = current_hash(version)
    return {
        "recorded_by": by,
        "recorded_at": timezone.now(),
        "on_behalf": on_behalf,
        "content_sha256": expected,
        **evidence_fields(
            document, expected_sha256=expected, scan_method=scan_method, version_label=version_label(version)
        ),
    }


def _consulted_body(contract: Contract, body: str) -> Organisation:
    kind = OrganisationKind.ARS if body == ConsultedBody.ARS else OrganisationKind.CRPST
    found = Organisation.objects.filter(kind=kind, region_id=contract.region_id).first()
    if found is None:
        raise DomainError(f"La région du contrat n'a pas de {ConsultedBody(body).label} au référentiel.", field="body")
    return found


@transaction.atomic
def record_opinion(
    *,
    by,
    contract: Contract,
    body: str,
    given_on: dt.date,
    opinion: str,
    comment: str = "",
    document: AttachedDocument | None = None,
) -> Consultation:
    """R4: the ARS gives its own opinion (or an agent records it with the ARS's letter attached); the CRPST's opinion
    is recorded by its secretariat with the minutes attached."""
    if by is None or not (by.can(Perm.CONTRACT_EDIT) or by.can(Perm.CONTRACT_OPINION)):
        raise DomainError("Votre rôle ne permet pas d'enregistrer un avis.")
    _require(by, Perm.CONTRACT_EDIT if by.can(Perm.CONTRACT_EDIT) else Perm.CONTRACT_OPINION, contract)
    if body not in ConsultedBody.values:
        raise DomainError("Instance consultée inconnue : CRPST ou ARS.", field="body")
    organisation = _consulted_body(contract, body)
    if body == ConsultedBody.CRPST and not by.can(Perm.CONTRACT_EDIT):
        raise DomainError("L'avis du CRPST est enregistré par son secrétariat (la DREETS), procès-verbal joint.")
    contract = _lock(contract)
    if contract.status != ContractStatus.CONSULTATION:
        raise DomainError("Les avis s'enregistrent quand le contrat est en consultation (règle R4).", rule="R4")
    if given_on < contract.negotiation_started_on:
        raise DomainError("Un avis ne peut précéder l'ouverture de la négociation.", field="given_on")
    if contract.consultations.filter(body=body).exists():
        raise DomainError("L'avis de cette instance est déjà enregistré (règle R4).", field="body", rule="R4")
    if body == ConsultedBody.CRPST:
        if document is None:
            raise DomainError(
                "Joignez le procès-verbal de la séance du CRPST : son avis s'enregistre avec sa preuve (règle R4).",
                field="document",
                rule="R4",
            )
        on_behalf = True
    else:
        on_behalf = _acts_for(by, organisation, document=document, act="rendre l'avis de l'ARS")
    evidence = _evidence(
        by,
        on_behalf=on_behalf,
        document=document,
        version=contract.current_version,
        scan_method=EvidenceMethod.LETTER,
    )
    consultation = Consultation.objects.create(
        contract=contract, body=body, given_on=given_on, opinion=opinion, comment=comment, **evidence
    )
    previous = contract.get_status_display()
    if contract.consultations.count() == len(ConsultedBody):
        contract.status = ContractStatus.READY
        contract.save(update_fields=["status", "updated_at"])
        notifications.signatures_owed(contract)
    _step(
        by,
        contract,
        f"Avis {consultation.get_body_display()}",
        previous_status=previous,
        Avis=consultation.get_opinion_display(),
        Date=f"{given_on:%d/%m/%Y}",
        Commentaire=comment,
        Saisie=consultation.capacity,
    )
    return consultation


def _check_signatory(signatory_title: str) -> str:
    if not signatory_title.strip():
        raise DomainError("Précisez la qualité du signataire.", field="signatory_title")
    return signatory_title.strip()


@transaction.atomic
def record_signature(
    *,
    by,
    contract: Contract,
    party: ContractParty,
    signed_on: dt.date,
    signatory_title: str,
    document: AttachedDocument | None = None,
):
    """One party signs, from an account of its own, or an agent records its signature with the signed document.
    When every party has signed, the contract enters into force at the last signature and ends at the planned end
    (by default the approval's end, R3), within 5 years (R2); its text becomes signed version 1."""
    if by is None or not (by.can(Perm.CONTRACT_SIGN) or by.can(Perm.CONTRACT_EDIT)):
        raise DomainError("Votre rôle ne permet pas de signer un contrat.")
    _require(by, Perm.CONTRACT_VIEW, contract)
    contract = _lock(contract)
    if contract.status != ContractStatus.READY:
        missing = [label for value, label in ConsultedBody.choices if not contract.consultations.filter(body=value)]
        if contract.status == ContractStatus.CONSULTATION and missing:
            raise DomainError(
                f"Pas de signature avant l'avis du CRPST et de l'ARS (règle R4) : manque l'avis {missing[0]}.",
                rule="R4",
            )
        raise DomainError("Le contrat n'est pas prêt à signer.")
    party = _party_of(contract, party)
    if party.signed_on:
        raise DomainError(f"{party} a déjà signé le {party.signed_on:%d/%m/%Y}.")
    title = _check_signatory(signatory_title)
    last_opinion = max(contract.consultations.values_list("given_on", flat=True))
    if signed_on < last_opinion:
        raise DomainError(
            f"La signature ne peut précéder le dernier avis recueilli ({last_opinion:%d/%m/%Y}) (règle R4).",
            field="signed_on",
            rule="R4",
        )
    error = _approval_end_error(contract, contract.planned_end or signed_on, signed_on)
    if error:
        raise DomainError(error, field="signed_on", rule="R3")
    on_behalf = _acts_for(by, party.organisation, document=document, act="signer")
    version = contract.current_version
    evidence = _evidence(
        by,
        on_behalf=on_behalf,
        document=document,
        version=version,
        scan_method=EvidenceMethod.SCAN,
    )
    if contract.parties.filter(signed_on__isnull=True).exclude(pk=party.pk).exists():
        _save_signature(party, signed_on, title, evidence)
        _step(
            by,
            contract,
            f"Signature de {party}",
            previous_status=contract.get_status_display(),
            **_signature_details(party, title, signed_on, evidence),
        )
        return contract
    start = max([signed_on, *contract.parties.exclude(pk=party.pk).values_list("signed_on", flat=True)])
    end = contract.planned_end
    if end is None:
        raise DomainError("Renseignez la fin prévue du contrat avant la dernière signature.", field="planned_end")
    for check in (_duration_error(start, end), _approval_end_error(contract, end, start)):
        if check:
            raise DomainError(check, rule="R2" if "R2" in check else "R3")
    _save_signature(party, signed_on, title, evidence)
    previous = contract.get_status_display()
    contract.start, contract.end, contract.status = start, end, ContractStatus.IN_FORCE
    contract.save(update_fields=["start", "end", "status", "updated_at"])
    sign_version(
        version, label="Signature par toutes les parties", effective_on=start, content_sha256=evidence["content_sha256"]
    )
    _step(
        by,
        contract,
        f"Signature de {party} : entrée en vigueur",
        previous_status=previous,
        **_signature_details(party, title, signed_on, evidence),
        **{"En vigueur du": f"{start:%d/%m/%Y} au {end:%d/%m/%Y}"},
    )
    return contract


def _save_signature(party: ContractParty, signed_on: dt.date, title: str, evidence: dict) -> None:
    party.signed_on, party.signatory_title = signed_on, title
    party.save(update_fields=["signed_on", "signatory_title"])
    Signature.objects.create(party=party, **evidence)


def _signature_details(party, title: str, signed_on: dt.date, evidence: dict) -> dict:
    details = {"Signataire": f"{party} ({title})", "Date": f"{signed_on:%d/%m/%Y}"}
    details["Texte signé (SHA-256)"] = evidence["content_sha256"]
    if evidence["on_behalf"]:
        details["Saisie"] = f"pour le compte de la partie — {EvidenceMethod(evidence['method']).label}"
        details["Pièce jointe (SHA-256)"] = evidence.get("document_sha256", "")
    return details


@transaction.atomic
def open_amendment(
    *, by, contract: Contract, kind: str, summary: str, on: dt.date, new_end: dt.date | None = None
) -> Amendment:
    _require(by, Perm.CONTRACT_EDIT, contract)
    contract = _lock(contract)
    if contract.status_on(on) != ContractStatus.IN_FORCE:
        raise DomainError("Seul un contrat en vigueur peut faire l'objet d'un avenant (règle R7).", rule="R7")
    if contract.amendments.filter(status=AmendmentStatus.OPEN).exists():
        raise DomainError("Un avenant est déjà en cours : faites-le signer avant d'en ouvrir un autre.", rule="R7")
    if not summary.strip():
        raise DomainError("Décrivez l'objet de l'avenant.", field="summary")
    if kind == AmendmentKind.EXTENSION:
        if new_end is None:
            raise DomainError("Une prolongation précise la nouvelle date de fin.", field="new_end", rule="R7")
        if new_end <= contract.end:
            raise DomainError("Une prolongation repousse la date de fin du contrat.", field="new_end")
        _check_end(contract, new_end, on)
    number = (contract.amendments.aggregate(n=Max("number"))["n"] or 0) + 1
    # Everything the amendment changes is edited on its own working copy: the version in force stays as signed
    # until the last party signs the amendment (R7).
    working_copy = copy_version(contract.current_version, label=f"Avenant n° {number} — texte proposé", on=on)
    amendment = Amendment.objects.create(
        contract=contract,
        number=number,
        kind=kind,
        summary=summary.strip(),
        new_end=new_end,
        opened_on=on,
        version=working_copy,
    )
    _step(
        by,
        contract,
        f"Ouverture de l'avenant n° {number}",
        previous_status=contract.get_status_display(),
        Nature=amendment.get_kind_display(),
        Objet=amendment.summary,
        **({"Nouvelle fin": f"{new_end:%d/%m/%Y}"} if new_end else {}),
    )
    return amendment


def _check_end(contract: Contract, end: dt.date, on: dt.date) -> None:
    error = _duration_error(contract.start, end)
    if error:
        raise DomainError(error, field="new_end", rule="R2")
    error = _approval_end_error(contract, end, on)
    if error:
        raise DomainError(error, field="new_end", rule="R3")


@transaction.atomic
def sign_amendment(
    *,
    by,
    amendment: Amendment,
    party: ContractParty,
    signed_on: dt.date,
    signatory_title: str,
    document: AttachedDocument | None = None,
) -> Amendment:
    """R7: each party signs the amendment's text for itself (or an agent records its signature with the signed
    document); at the last signature, in the same transaction, the working copy becomes the version in force from
    that day and an extension moves the contract's end."""
    contract = amendment.contract
    if by is None or not (by.can(Perm.CONTRACT_SIGN) or by.can(Perm.CONTRACT_EDIT)):
        raise DomainError("Votre rôle ne permet pas de signer un avenant.")
    _require(by, Perm.CONTRACT_VIEW, contract)
    contract = _lock(contract)
    amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if amendment.status != AmendmentStatus.OPEN:
        raise DomainError("Cet avenant est déjà appliqué.")
    if contract.status != ContractStatus.IN_FORCE:
        raise DomainError(
            f"Le contrat est « {contract.get_status_display()} » : un avenant ne s'applique qu'à un contrat en "
            "vigueur (règle R7).",
            rule="R7",
        )
    party = _party_of(contract, party)
    if amendment.signatures.filter(party=party).exists():
        raise DomainError(f"{party} a déjà signé cet avenant.")
    if signed_on < amendment.opened_on:
        raise DomainError("La signature ne peut précéder l'ouverture de l'avenant.", field="signed_on")
    title = _check_signatory(signatory_title)
    if amendment.kind == AmendmentKind.CHANGE:
        errors = third_generation_errors(contract, amendment.version)
        if errors:
            raise DomainError(" ".join(errors), rule="R5" if "R5" in errors[0] else "R6")
    last = not contract.parties.exclude(pk=party.pk).exclude(pk__in=amendment.signatures.values("party_id")).exists()
    if last and amendment.kind == AmendmentKind.EXTENSION:
        _check_end(contract, amendment.new_end, signed_on)
    on_behalf = _acts_for(by, party.organisation, document=document, act="signer l'avenant")
    evidence = _evidence(
        by,
        on_behalf=on_behalf,
        document=document,
        version=amendment.version,
        scan_method=EvidenceMethod.SCAN,
    )
    AmendmentSignature.objects.create(
        amendment=amendment, party=party, signed_on=signed_on, signatory_title=title, **evidence
    )
    details = _signature_details(party, title, signed_on, evidence)
    status = contract.get_status_display()
    if not last:
        _step(by, contract, f"Avenant n° {amendment.number} : signature de {party}", previous_status=status, **details)
        return amendment
    if amendment.kind == AmendmentKind.EXTENSION:
        contract.end = amendment.new_end
        contract.save(update_fields=["end", "updated_at"])
    amendment.status, amendment.applied_on = AmendmentStatus.APPLIED, signed_on
    amendment.save(update_fields=["status", "applied_on"])
    sign_version(
        amendment.version,
        label=f"Avenant n° {amendment.number} — {amendment.get_kind_display()}",
        effective_on=signed_on,
        content_sha256=evidence["content_sha256"],
    )
    _step(
        by,
        contract,
        f"Avenant n° {amendment.number} appliqué (signature de {party})",
        previous_status=status,
        **details,
        **{"En vigueur à compter du": f"{signed_on:%d/%m/%Y}"},
        **({"Fin du contrat": f"{contract.end:%d/%m/%Y}"} if amendment.kind == AmendmentKind.EXTENSION else {}),
    )
    return amendment


@transaction.atomic
def terminate(
    *,
    by,
    contract: Contract,
    party: ContractParty,
    notified_on: dt.date,
    effective_on: dt.date,
    reason: str,
    registered_letter_reference: str,
) -> Termination:
    """R8: a party denounces the contract by registered letter; the contract ends at the effective date."""
    _require(by, Perm.CONTRACT_EDIT, contract)
    contract = _lock(contract)
    if contract.status != ContractStatus.IN_FORCE:
        raise DomainError("Seul un contrat en vigueur peut être dénoncé (règle R8).", rule="R8")
    if contract.amendments.filter(status=AmendmentStatus.OPEN).exists():
        raise DomainError(
            "Un avenant est en cours de signature : faites-le signer avant de dénoncer le contrat (règles R7, R8).",
            rule="R8",
        )
    party = _party_of(contract, party)
    if not reason.strip():
        raise DomainError("Indiquez le motif de la dénonciation (règle R8).", field="reason", rule="R8")
    if not registered_letter_reference.strip():
        raise DomainError(
            "Indiquez la référence du courrier recommandé avec accusé de réception (règle R8).",
            field="registered_letter_reference",
            rule="R8",
        )
    if effective_on < notified_on:
        raise DomainError("La dénonciation ne peut prendre effet avant sa notification.", field="effective_on")
    if not (contract.start < effective_on <= contract.end):
        raise DomainError(
            f"La date d'effet doit tomber après l'entrée en vigueur et au plus tard à la fin du contrat "
            f"({contract.start:%d/%m/%Y} – {contract.end:%d/%m/%Y}) (règle R8).",
            field="effective_on",
            rule="R8",
        )
    termination = Termination.objects.create(
        contract=contract,
        party=party,
        notified_on=notified_on,
        effective_on=effective_on,
        reason=reason.strip(),
        registered_letter_reference=registered_letter_reference.strip(),
    )
    previous = contract.get_status_display()
    contract.status, contract.end = ContractStatus.TERMINATED, effective_on
    contract.save(update_fields=["status", "end", "updated_at"])
    # Reports of the years after the effective date are no longer owed (the reports app listens, in this
    # transaction).
    contract_ended.send(sender=Contract, contract=contract, end=effective_on)
    _step(
        by,
        contract,
        f"Dénonciation par {party}",
        previous_status=previous,
        Motif=termination.reason,
        Notification=f"{notified_on:%d/%m/%Y}",
        Effet=f"{effective_on:%d/%m/%Y}",
        **{"Courrier recommandé": termination.registered_letter_reference},
    )
    return termination
