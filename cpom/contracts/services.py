"""Editing a contract's content: general terms, action sheets, commitments, indicators and targets, annexed
conventions, comments. Every function checks that the contract may change now and edits the version that may
change — the draft of a contract in negotiation, or the working copy of an open amendment no party has signed yet
(R7); the version in force never changes. Each runs in one transaction."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Max

from cpom.core.errors import DomainError
from cpom.core.journal import Snapshot, record, snapshot
from cpom.core.models import ChangeAction, SubjectKind
from cpom.core.permissions import Perm
from cpom.indicators.enums import IndicatorLevel, IndicatorScope, ValueType
from cpom.indicators.models import Indicator, Theme
from cpom.organisations.enums import OrganisationKind
from cpom.plans.models import CogProgramme, PrstAction

from .enums import AxisKind, ContractStatus, PartyRole
from .lifecycle import _approval_end_error, _duration_error, check_editable, sync_indicators
from .models import (
    Action,
    Axis,
    BilateralConvention,
    Commitment,
    CommitmentTemplate,
    Contract,
    ContractComment,
    ContractIndicator,
    ContractVersion,
    Target,
)


def _touch(
    contract: Contract,
    *,
    by,
    what: str,
    before: Snapshot | None = None,
    after: Snapshot | None = None,
    action: ChangeAction | None = None,
) -> None:
    """A content change: the contract's version goes up (a form opened on the previous version is then stale)
    and the change is journaled with that version."""
    Contract.objects.filter(pk=contract.pk).update(version=F("version") + 1)
    version = Contract.objects.filter(pk=contract.pk).values_list("version", flat=True).get()
    contract.version = version
    record(
        by=by,
        kind=SubjectKind.CONTRACT,
        subject_id=contract.pk,
        what=what,
        before=before,
        after=after,
        action=action,
        version=version,
    )


COMMITMENT_FIELDS = ["party_role", "category", "text"]
TERMS_FIELDS = ["title", "context", "general_objectives", "pdp_cell_composition", "planned_end", "signature_place"]
ACTION_FIELDS = [
    "title",
    "theme",
    "objective",
    "method",
    "calendar",
    "means_spsti",
    "means_state",
    "means_caisse",
    "prst_actions",
    "pps_priorities",
    "cog_programmes",
]


@dataclass
class GeneralTerms:
    title: str
    context: str
    general_objectives: str
    pdp_cell_composition: str
    planned_end: dt.date | None
    signature_place: str


CONTRACT_TERMS = ["title", "planned_end", "signature_place"]
VERSION_TERMS = ["context", "general_objectives", "pdp_cell_composition"]


@transaction.atomic
def update_general_terms(*, by, contract: Contract, terms: GeneralTerms, on: dt.date) -> Contract:
    version = check_editable(by=by, contract=contract)
    contract = version.contract
    if not terms.title.strip():
        raise DomainError("Le contrat doit avoir un intitulé.", field="title")
    if contract.is_signed:
        # An amendment changes the text (context, objectives, PDP cell); the title, the place and the end of a
        # signed contract stay as signed — its end changes only by an extension amendment (R7). The form sends back
        # the stored values, which is no change.
        for name, label in (("title", "L'intitulé"), ("signature_place", "Le lieu de signature")):
            if getattr(terms, name).strip() != getattr(contract, name):
                raise DomainError(f"{label} d'un contrat signé ne change pas par avenant.", field=name, rule="R7")
        if terms.planned_end not in (None, contract.planned_end):
            raise DomainError(
                "La fin d'un contrat signé se modifie par un avenant de prolongation (règle R7).",
                field="planned_end",
                rule="R7",
            )
        terms.planned_end = contract.planned_end
    elif terms.planned_end:
        error = _duration_error(on, terms.planned_end)
        if error and "R2" in error:
            raise DomainError(error, field="planned_end", rule="R2")
        error = _approval_end_error(contract, terms.planned_end, on)
        if error:
            raise DomainError(error, field="planned_end", rule="R3")
    before = snapshot(contract, CONTRACT_TERMS) | snapshot(version, VERSION_TERMS)
    for name, value in vars(terms).items():
        target = version if name in VERSION_TERMS else contract
        setattr(target, name, value.strip() if isinstance(value, str) else value)
    contract.save()
    version.save(update_fields=VERSION_TERMS)
    after = snapshot(contract, CONTRACT_TERMS) | snapshot(version, VERSION_TERMS)
    _touch(contract, by=by, what=_label("Dispositions générales", version), before=before, after=after)
    return contract


def _label(what: str, version: ContractVersion) -> str:
    """Journal label: a change of an amendment's working copy says so."""
    amendment = getattr(version, "amendment", None) if version.status == "projet" else None
    return f"{what} (avenant n° {amendment.number})" if amendment is not None else what


def _of_version(obj, version: ContractVersion, what: str):
    """`obj` (an axis, action, commitment, indicator) must belong to the version being edited: an object of the
    version in force or of another contract is not changed through an amendment's forms."""
    if obj.version_id != version.pk:
        raise DomainError(
            f"{what} appartient au texte en vigueur, qui ne change pas : modifiez le texte proposé par l'avenant "
            "(règle R7).",
            rule="R7",
        )


@dataclass
class ActionData:
    title: str
    theme: Theme | None
    objective: str = ""
    method: str = ""
    calendar: str = ""
    means_spsti: str = ""
    means_state: str = ""
    means_caisse: str = ""
    prst_actions: list[PrstAction] | None = None
    pps_priorities: list | None = None
    cog_programmes: list[CogProgramme] | None = None


@transaction.atomic
def save_action(*, by, axis: Axis, data: ActionData, action: Action | None = None) -> Action:
    version = check_editable(by=by, contract=axis.version.contract)
    contract = version.contract
    _of_version(axis, version, "Cet axe")
    if action is not None and action.axis_id != axis.pk:
        raise DomainError("Cette fiche action n'appartient pas à cet axe.", field="axis")
    if not data.title.strip():
        raise DomainError("Donnez un intitulé à la fiche action.", field="title")
    if axis.kind == AxisKind.PREVENTION and data.theme is None:
        raise DomainError("Une action de l'axe « prévention » porte sur une thématique de risque.", field="theme")
    spsti_ids = set(contract.parties.filter(role=PartyRole.SPSTI).values_list("organisation_id", flat=True))
    foreign = [p for p in data.pps_priorities or [] if p.project.spsti_id not in spsti_ids]
    if foreign:
        raise DomainError("Une priorité choisie n'appartient pas au projet d'un service du contrat.", field="pps")
    foreign_prst = [a for a in data.prst_actions or [] if a.plan.region_id != contract.region_id]
    if foreign_prst:
        raise DomainError("Une action du PRST choisie n'est pas celle de la région du contrat.", field="prst")
    created = action is None
    before = snapshot(action, ACTION_FIELDS)
    if action is None:
        number = (axis.actions.aggregate(n=Max("number"))["n"] or 0) + 1
        action = Action(axis=axis, number=number)
    for name in ("title", "objective", "method", "calendar", "means_spsti", "means_state", "means_caisse"):
        setattr(action, name, getattr(data, name).strip())
    action.theme = data.theme
    action.save()
    for relation, chosen in (
        (action.prst_actions, data.prst_actions),
        (action.pps_priorities, data.pps_priorities),
        (action.cog_programmes, data.cog_programmes),
    ):
        if chosen or not created:
            relation.set(chosen or [])
    sync_indicators(version)
    what = _label(f"Fiche action {axis.number}.{action.number} — {action.title}", version)
    _touch(contract, by=by, what=what, before=before, after=snapshot(action, ACTION_FIELDS))
    return action


@transaction.atomic
def delete_action(*, by, action: Action) -> None:
    version = check_editable(by=by, contract=action.axis.version.contract)
    contract = version.contract
    _of_version(action.axis, version, "Cette fiche action")
    what = _label(f"Fiche action {action.axis.number}.{action.number} — {action.title}", version)
    if action.actionprogress_set.exists():
        # Cannot happen for a draft or a working copy (no report follows them); kept as a guard, never a 500.
        raise DomainError(
            "Des rapports annuels ont déjà déclaré l'avancement de cette action : elle ne peut être supprimée.",
            field="action",
        )
    before = snapshot(action, ACTION_FIELDS)
    action.delete()
    sync_indicators(version)
    _touch(contract, by=by, what=what, before=before, after={})


@transaction.atomic
def add_axis(*, by, contract: Contract, title: str, description: str = "") -> Axis:
    version = check_editable(by=by, contract=contract)
    contract = version.contract
    if not title.strip():
        raise DomainError("Donnez un intitulé à l'axe.", field="title")
    number = (version.axes.aggregate(n=Max("number"))["n"] or 0) + 1
    axis = Axis.objects.create(
        version=version, number=number, kind=AxisKind.OTHER, title=title.strip(), description=description
    )
    _touch(contract, by=by, what=_label(f"Axe {number}", version), after=snapshot(axis, ["title", "description"]))
    return axis


@transaction.atomic
def update_axis(*, by, axis: Axis, title: str, description: str) -> Axis:
    version = check_editable(by=by, contract=axis.version.contract)
    _of_version(axis, version, "Cet axe")
    if not title.strip():
        raise DomainError("Donnez un intitulé à l'axe.", field="title")
    before = snapshot(axis, ["title", "description"])
    axis.title, axis.description = title.strip(), description.strip()
    axis.save(update_fields=["title", "description"])
    after = snapshot(axis, ["title", "description"])
    _touch(version.contract, by=by, what=_label(f"Axe {axis.number}", version), before=before, after=after)
    return axis


@transaction.atomic
def add_commitments_from_catalogue(*, by, contract: Contract, templates: list[CommitmentTemplate]) -> int:
    version = check_editable(by=by, contract=contract)
    contract = version.contract
    start = version.commitments.aggregate(n=Max("position"))["n"] or 0
    existing = set(version.commitments.values_list("party_role", "text"))
    new = [
        Commitment(
            version=version,
            party_role=template.party_role,
            category=template.category,
            text=template.text,
            position=start + index,
        )
        for index, template in enumerate(templates, start=1)
        if (template.party_role, template.text) not in existing
    ]
    Commitment.objects.bulk_create(new)
    _touch(
        contract,
        by=by,
        what=_label("Engagements repris du catalogue", version),
        after={f"Engagement {c.position}": c.text for c in new},
        action=ChangeAction.CREATED,
    )
    return len(new)


@transaction.atomic
def save_commitment(
    *, by, contract: Contract, party_role: str, category: str, text: str, commitment: Commitment | None = None
) -> Commitment:
    version = check_editable(by=by, contract=contract)
    contract = version.contract
    if commitment is not None:
        _of_version(commitment, version, "Cet engagement")
    if not text.strip():
        raise DomainError("Rédigez l'engagement.", field="text")
    before = snapshot(commitment, COMMITMENT_FIELDS)
    if commitment is None:
        position = (version.commitments.aggregate(n=Max("position"))["n"] or 0) + 1
        commitment = Commitment(version=version, position=position)
    commitment.party_role, commitment.category, commitment.text = party_role, category, text.strip()
    commitment.save()
    after = snapshot(commitment, COMMITMENT_FIELDS)
    _touch(contract, by=by, what=_label(f"Engagement {commitment.position}", version), before=before, after=after)
    return commitment


@transaction.atomic
def delete_commitment(*, by, commitment: Commitment) -> None:
    version = check_editable(by=by, contract=commitment.version.contract)
    _of_version(commitment, version, "Cet engagement")
    before = snapshot(commitment, COMMITMENT_FIELDS)
    commitment.delete()
    what = _label(f"Engagement {commitment.position}", version)
    _touch(version.contract, by=by, what=what, before=before, after={})


@transaction.atomic
def add_specific_indicator(
    *,
    by,
    contract: Contract,
    label: str,
    value_type: str = ValueType.INTEGER,
    level: str = "",
    theme: Theme | None = None,
    action: Action | None = None,
) -> ContractIndicator:
    """An indicator proper to this contract (scope "contrat"), added to the catalogue under the contract's code."""
    version = check_editable(by=by, contract=contract)
    contract = version.contract
    if not label.strip():
        raise DomainError("Donnez un libellé à l'indicateur.", field="label")
    if level and level not in IndicatorLevel.values:
        raise DomainError(
            "Niveau d'indicateur inconnu (moyens, résultat intermédiaire, résultat — R13).", field="level", rule="R13"
        )
    if action is not None and action.axis.version_id != version.pk:
        raise DomainError("Cette action n'appartient pas au texte modifié du contrat.", field="action")
    count = Indicator.objects.filter(code__startswith=f"{contract.reference}-").count()
    indicator = Indicator.objects.create(
        code=f"{contract.reference}-{count + 1:02d}",
        label=label.strip(),
        scope=IndicatorScope.CONTRACT,
        value_type=value_type,
        level=level,
        rule=">= 0" if value_type == ValueType.INTEGER else "",
        source=f"Contrat {contract.reference}",
    )
    if theme is not None:
        indicator.themes.add(theme)
    row = ContractIndicator.objects.create(version=version, indicator=indicator, theme=theme, action=action)
    after = snapshot(row, ["indicator", "theme", "action"]) | snapshot(indicator, ["value_type", "level"])
    _touch(contract, by=by, what=_label(f"Indicateur {indicator.code}", version), after=after)
    return row


@transaction.atomic
def set_targets(*, by, row: ContractIndicator, targets: dict[int, str]) -> None:
    """Optional yearly targets (R13); an empty value removes the year's target."""
    version = check_editable(by=by, contract=row.version.contract)
    contract = version.contract
    _of_version(row, version, "Cet indicateur")
    first = (contract.start or contract.negotiation_started_on).year
    last = (contract.end or contract.planned_end or dt.date(first + 4, 12, 31)).year
    for year, value in targets.items():
        if not first <= year <= last:
            raise DomainError(
                f"L'année {year} est hors de la durée du contrat ({first}–{last}).", field=f"cible_{year}"
            )
        value = (value or "").strip()
        if value and row.indicator.value_type == ValueType.INTEGER and not value.replace("\u202f", "").isdigit():
            raise DomainError(
                f"La cible {year} de « {row.indicator.label} » doit être un nombre entier positif.",
                field=f"cible_{year}",
            )
    before = {f"Cible {t.year}": t.value for t in row.targets.all()}
    for year, value in targets.items():
        value = (value or "").strip().replace("\u202f", "")
        if value:
            Target.objects.update_or_create(contract_indicator=row, year=year, defaults={"value": value})
        else:
            Target.objects.filter(contract_indicator=row, year=year).delete()
    after = {f"Cible {t.year}": t.value for t in row.targets.all()}
    _touch(contract, by=by, what=_label(f"Cibles de {row.indicator.label}", version), before=before, after=after)


@transaction.atomic
def add_convention(
    *, by, contract: Contract, caisse, title: str, reference: str = "", signed_on: dt.date | None = None
) -> BilateralConvention:
    """R10: bilateral CARSAT–SPSTI conventions are annexed to the contract."""
    version = check_editable(by=by, contract=contract)
    contract = version.contract
    if caisse.kind != OrganisationKind.CAISSE or not contract.parties.filter(organisation=caisse).exists():
        raise DomainError(
            "La convention bilatérale lie une caisse partie au contrat (règle R10).", field="caisse", rule="R10"
        )
    if not title.strip():
        raise DomainError("Indiquez l'objet de la convention.", field="title")
    convention = BilateralConvention.objects.create(
        version=version, caisse=caisse, title=title.strip(), reference=reference.strip(), signed_on=signed_on
    )
    after = snapshot(convention, ["caisse", "title", "reference", "signed_on"])
    _touch(contract, by=by, what=_label(f"Convention bilatérale — {convention.title}", version), after=after)
    return convention


@transaction.atomic
def add_comment(*, by, contract: Contract, text: str) -> ContractComment:
    if not (by.can(Perm.CONTRACT_COMMENT) or by.can(Perm.CONTRACT_EDIT)):
        raise DomainError("Votre rôle ne permet pas de commenter un contrat.")
    if not Contract.objects.visible_to(by).filter(pk=contract.pk).exists():
        raise DomainError("Ce contrat n'est pas dans votre périmètre.")
    if contract.status not in (ContractStatus.DRAFT, ContractStatus.CONSULTATION):
        raise DomainError("On commente un projet de contrat, pas un contrat prêt à signer ou signé.")
    if not text.strip():
        raise DomainError("Le commentaire est vide.", field="text")
    return ContractComment.objects.create(contract=contract, author=by, text=text.strip())
