"""Writes on the registry. Pages, the CSV import and (later) the API call these same functions."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from cpom.core.errors import DomainError
from cpom.core.journal import record, snapshot
from cpom.core.models import SubjectKind
from cpom.core.permissions import Perm
from cpom.core.scope import ScopeKind
from cpom.territory.models import Department

from .enums import CertificationLevel, SpstiCategory
from .models import Approval, Certification, Spsti
from .rules import approval_period_error, certification_expiry, certification_renewal_error

SPSTI_FIELDS = [
    "siret",
    "name",
    "short_name",
    "category",
    "sector",
    "headquarters_department",
    "departments",
    "employees_followed",
    "member_companies",
    "city",
    "address",
]
APPROVAL_FIELDS = ["start", "end", "zones", "conditional", "conditions", "shortened", "decision_reference"]
CERTIFICATION_FIELDS = ["level", "certifier", "certified_on", "expires_on"]


@dataclass
class SpstiData:
    siret: str
    name: str
    headquarters_department: Department
    employees_followed: int
    member_companies: int
    departments: list[Department] = field(default_factory=list)
    short_name: str = ""
    category: str = SpstiCategory.INTERPROFESSIONAL
    sector: str = ""
    city: str = ""
    address: str = ""


def _check_can_edit(by, department: Department | None) -> None:
    """`by` None means the platform itself (a management command run by an operator)."""
    if by is None:
        return
    if not by.can(Perm.REGISTRY_EDIT):
        raise DomainError("Votre rôle ne permet pas de modifier le registre des services.")
    scope = by.scope
    if department is not None and scope.kind == ScopeKind.REGION and department.region_id != scope.region_code:
        raise DomainError(
            f"Le département {department} n'appartient pas à votre région : seul le service de l'État "
            "de sa région peut l'inscrire.",
            field="headquarters_department",
        )


def _check_siret_free(siret: str, *, spsti: Spsti | None = None) -> None:
    """The unique constraint's message, but on the SIRET field (the constraint reports it for the whole form)."""
    others = Spsti.objects.filter(siret=siret)
    if spsti is not None:
        others = others.exclude(pk=spsti.pk)
    if others.exists():
        raise DomainError("Un service portant ce SIRET est déjà inscrit au registre.", field="siret")


def _raise_first(error: ValidationError, model=Spsti) -> None:
    """Turn a model validation error into a DomainError naming the field in French."""
    if hasattr(error, "error_dict"):
        name, errors = next(iter(error.error_dict.items()))
        message = errors[0].messages[0]
        if name == "__all__":
            raise DomainError(message) from error
        label = model._meta.get_field(name).verbose_name
        raise DomainError(f"{label[:1].upper()}{label[1:]} : {message}", field=name) from error
    raise DomainError(error.messages[0]) from error


@transaction.atomic
def spsti_register(*, by, data: SpstiData) -> Spsti:
    _check_can_edit(by, data.headquarters_department)
    spsti = Spsti(
        siret=data.siret,
        name=data.name,
        short_name=data.short_name,
        category=data.category,
        sector=data.sector,
        headquarters_department=data.headquarters_department,
        region_id=data.headquarters_department.region_id,
        employees_followed=data.employees_followed,
        member_companies=data.member_companies,
        city=data.city,
        address=data.address,
    )
    _check_siret_free(data.siret)
    try:
        spsti.full_clean()
    except ValidationError as error:
        _raise_first(error)
    spsti.save()
    spsti.departments.set(data.departments or [data.headquarters_department])
    record(
        by=by,
        kind=SubjectKind.SERVICE,
        subject_id=spsti.pk,
        what="Inscription au registre",
        after=snapshot(spsti, SPSTI_FIELDS),
    )
    return spsti


@transaction.atomic
def spsti_update(*, by, spsti: Spsti, data: SpstiData) -> Spsti:
    locked = Spsti.objects.select_for_update().get(pk=spsti.pk)
    _check_can_edit(by, locked.headquarters_department)
    _check_can_edit(by, data.headquarters_department)
    before = snapshot(locked, SPSTI_FIELDS)
    for name in SPSTI_FIELDS:
        if name != "departments":  # a relation, set after the save
            setattr(locked, name, getattr(data, name))
    locked.region_id = data.headquarters_department.region_id
    _check_siret_free(data.siret, spsti=locked)
    try:
        locked.full_clean()
    except ValidationError as error:
        _raise_first(error)
    locked.save()
    locked.departments.set(data.departments or [data.headquarters_department])
    record(
        by=by,
        kind=SubjectKind.SERVICE,
        subject_id=locked.pk,
        what="Fiche du service",
        before=before,
        after=snapshot(locked, SPSTI_FIELDS),
    )
    return locked


@transaction.atomic
def approval_record(
    *,
    by,
    spsti: Spsti,
    start: dt.date,
    end: dt.date,
    zones: Iterable[Department],
    conditional: bool = False,
    conditions: str = "",
    decision_reference: str = "",
    shortened: bool = False,
) -> Approval:
    _check_can_edit(by, spsti.headquarters_department)
    message = approval_period_error(start, end, shortened=shortened)
    if message:
        raise DomainError(message, field="end")
    if conditional and not conditions.strip():
        raise DomainError("Un agrément conditionnel doit énoncer ses conditions.", field="conditions")
    zones = list(zones)
    if not zones:
        raise DomainError("La zone d'agrément doit compter au moins un département.", field="zones")
    overlapping = spsti.approvals.filter(start__lte=end, end__gte=start).first()
    if overlapping is not None:
        raise DomainError(
            f"Cet agrément chevauche l'agrément du {overlapping.start:%d/%m/%Y} au {overlapping.end:%d/%m/%Y}.",
            field="start",
        )
    approval = Approval(
        spsti=spsti,
        start=start,
        end=end,
        conditional=conditional,
        conditions=conditions,
        shortened=shortened,
        decision_reference=decision_reference,
    )
    try:
        approval.full_clean()
    except ValidationError as error:
        _raise_first(error, Approval)
    approval.save()
    approval.zones.set(zones)
    record(
        by=by,
        kind=SubjectKind.SERVICE,
        subject_id=spsti.pk,
        what=f"{'Renouvellement de l' if spsti.approvals.filter(start__lt=start).exists() else 'A'}grément "
        f"du {start:%d/%m/%Y}",
        after=snapshot(approval, APPROVAL_FIELDS),
    )
    return approval


@transaction.atomic
def certification_record(*, by, spsti: Spsti, level: str, certifier: str, certified_on: dt.date) -> Certification:
    """Record a certification; its expiry follows from its level (2, 3 or 5 years)."""
    _check_can_edit(by, spsti.headquarters_department)
    if level not in CertificationLevel.values:
        raise DomainError("Niveau de certification inconnu : niveau_1, niveau_2 ou niveau_3.", field="level")
    if not certifier.strip():
        raise DomainError("Nommez l'organisme certificateur.", field="certifier")
    previous = spsti.certifications.filter(certified_on__lt=certified_on).order_by("-certified_on").first()
    message = certification_renewal_error(level, previous)
    if message:
        raise DomainError(message, field="level")
    certification = Certification(
        spsti=spsti,
        level=level,
        certifier=certifier.strip(),
        certified_on=certified_on,
        expires_on=certification_expiry(level, certified_on),
    )
    try:
        certification.full_clean()
    except ValidationError as error:
        _raise_first(error, Certification)
    certification.save()
    record(
        by=by,
        kind=SubjectKind.SERVICE,
        subject_id=spsti.pk,
        what=f"Certification du {certified_on:%d/%m/%Y}",
        after=snapshot(certification, CERTIFICATION_FIELDS),
    )
    return certification


@transaction.atomic
def spsti_merge(*, by, absorbed: Spsti, into: Spsti, on: dt.date) -> Spsti:
    """`absorbed` is dissolved on `on` and merged into `into` (the service that carries on)."""
    locked = Spsti.objects.select_for_update().get(pk=absorbed.pk)
    _check_can_edit(by, locked.headquarters_department)
    if into.pk == locked.pk:
        raise DomainError("Un service ne peut pas être absorbé par lui-même.", field="into")
    if locked.dissolved_on is not None:
        raise DomainError(
            f"Ce service est déjà dissous depuis le {locked.dissolved_on:%d/%m/%Y}.", field="dissolved_on"
        )
    if into.dissolved_on is not None:
        raise DomainError("Le service absorbant est lui-même dissous.", field="into")
    before = snapshot(locked, ["dissolved_on", "merged_into"])
    locked.dissolved_on = on
    locked.merged_into = into
    locked.save(update_fields=["dissolved_on", "merged_into"])
    record(
        by=by,
        kind=SubjectKind.SERVICE,
        subject_id=locked.pk,
        what=f"Fusion dans {into.name} au {on:%d/%m/%Y}",
        before=before,
        after=snapshot(locked, ["dissolved_on", "merged_into"]),
    )
    return locked
