"""The registry in the REST API (an entry point, in the API app above the registry it calls): services addressed
by their SIRET (never an internal id), their approvals,
certifications and mergers. The same selectors and registry functions as the pages: same rules, same French
refusals. Reading needs REGISTRY_VIEW (every role in scope but the social partners, who read aggregates only);
writing needs REGISTRY_EDIT (administrators, the DREETS of the service's region)."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from cpom.core.errors import DomainError
from cpom.core.permissions import Perm
from cpom.core.schemas import Error
from cpom.organisations import selectors, services
from cpom.organisations.enums import RENEWABLE_LEVELS, CertificationLevel, SpstiCategory
from cpom.organisations.models import Spsti
from cpom.organisations.siret import normalise_siret
from cpom.territory.models import Department

router = Router(tags=["Registre des services"])
MAX_PAGE = 100
SIRET_EXAMPLE = "35600000000048"
ERRORS = {403: Error, 404: Error, 422: Error}


class ApprovalOut(Schema):
    start: dt.date = Field(description="Début de l'agrément")
    end: dt.date = Field(description="Fin de l'agrément (au plus 5 ans, 2 ans s'il est réduit)")
    conditional: bool = Field(description="Agrément conditionnel")
    conditions: str
    shortened: bool = Field(description="Agrément de deux ans (décret 2022-1435)")
    renewal: bool = Field(description="Renouvellement : le service avait un agrément antérieur")
    decision_reference: str
    zones: list[str] = Field(description="Codes des départements de la zone d'agrément")


class CertificationOut(Schema):
    level: CertificationLevel = Field(description="Niveau (décret 2022-1031, arrêté du 27 juillet 2023)")
    certifier: str = Field(description="Organisme certificateur")
    certified_on: dt.date
    expires_on: dt.date = Field(description="Échéance : 2, 3 ou 5 ans selon le niveau")
    renewable: bool = Field(description="Seul le niveau valable 5 ans se renouvelle au même niveau")


class ServiceSummary(Schema):
    siret: str = Field(examples=[SIRET_EXAMPLE])
    name: str
    short_name: str
    region: str = Field(description="Code de la région du siège", examples=["53"])
    headquarters_department: str = Field(examples=["35"])
    approval_status: str = Field(description="valide, echeance, expire ou aucun (au jour de la requête)")
    dissolved_on: dt.date | None


class ServicePage(Schema):
    count: int
    offset: int
    results: list[ServiceSummary]


class ServiceOut(ServiceSummary):
    category: SpstiCategory
    sector: str
    departments: list[str] = Field(description="Codes des départements couverts")
    employees_followed: int
    member_companies: int
    city: str
    address: str
    merged_into: str | None = Field(description="SIRET du service absorbant, après une fusion")
    approvals: list[ApprovalOut]
    certifications: list[CertificationOut]


class ServiceIn(Schema):
    siret: str = Field(max_length=20, description="14 chiffres, clé de Luhn", examples=[SIRET_EXAMPLE])
    name: str = Field(max_length=200, examples=["Service de prévention et de santé au travail de l'exemple"])
    headquarters_department: str = Field(max_length=3, description="Code du département du siège", examples=["35"])
    employees_followed: int = Field(ge=0, le=2_000_000_000, examples=[183000])
    member_companies: int = Field(ge=0, le=2_000_000_000, examples=[12345])
    departments: list[str] = Field(
        default_factory=list, description="Départements couverts (le siège par défaut)", examples=[["35"]]
    )
    short_name: str = Field("", max_length=60, examples=["PST 35"])
    category: SpstiCategory = SpstiCategory.INTERPROFESSIONAL
    sector: str = Field("", max_length=100)
    city: str = Field("", max_length=100, examples=["Rennes"])
    address: str = Field("", max_length=300)


class ApprovalIn(Schema):
    start: dt.date = Field(examples=["2025-01-01"])
    end: dt.date = Field(examples=["2029-12-31"])
    zones: list[str] = Field(
        default_factory=list, description="Départements de la zone (ceux que couvre le service par défaut)"
    )
    conditional: bool = False
    conditions: str = Field("", max_length=5000)
    shortened: bool = Field(False, description="Agrément de deux ans au plus (décret 2022-1435)")
    decision_reference: str = Field("", max_length=100, examples=["DREETS-BRE-2025-014"])


class CertificationIn(Schema):
    level: CertificationLevel = Field(examples=["niveau_3"])
    certifier: str = Field(max_length=200, examples=["Organisme certificateur accrédité"])
    certified_on: dt.date = Field(examples=["2025-06-30"])


class MergerIn(Schema):
    into: str = Field(max_length=20, description="SIRET du service absorbant", examples=[SIRET_EXAMPLE])
    on: dt.date = Field(description="Date de dissolution du service absorbé", examples=["2025-12-31"])


class RegistryFilters(Schema):
    region: str = ""
    department: str = ""
    q: str = ""
    offset: int = Field(0, ge=0, le=1_000_000)
    limit: int = Field(20, ge=1, le=MAX_PAGE)


def _require(request, perm: Perm) -> None:
    if not request.user.can(perm):
        raise PermissionDenied("Votre rôle ne permet pas cette opération sur le registre des services.")


def _service(request, siret: str) -> Spsti:
    try:
        return selectors.spsti_by_siret(request.user, siret)
    except Spsti.DoesNotExist as error:
        raise Http404 from error


def _departments(codes: list[str], field: str) -> list[Department]:
    wanted = [code.strip().upper() for code in codes]
    found = {d.code: d for d in Department.objects.filter(code__in=wanted)}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise DomainError(f"Département inconnu : {', '.join(unknown)}.", field=field)
    return [found[code] for code in wanted]


def _summary(spsti: Spsti) -> dict:
    return {
        "siret": spsti.siret,
        "name": spsti.name,
        "short_name": spsti.short_name,
        "region": spsti.region_id,
        "headquarters_department": spsti.headquarters_department_id,
        "approval_status": spsti.approval_status,
        "dissolved_on": spsti.dissolved_on,
    }


def _detail(spsti: Spsti) -> dict:
    approvals = sorted(spsti.approvals.all(), key=lambda a: a.start)
    return _summary(spsti) | {
        "category": spsti.category,
        "sector": spsti.sector,
        "departments": [d.code for d in spsti.departments.all()],
        "employees_followed": spsti.employees_followed,
        "member_companies": spsti.member_companies,
        "city": spsti.city,
        "address": spsti.address,
        "merged_into": spsti.merged_into.siret if spsti.merged_into else None,
        "approvals": [
            {
                "start": a.start,
                "end": a.end,
                "conditional": a.conditional,
                "conditions": a.conditions,
                "shortened": a.shortened,
                "renewal": index > 0,
                "decision_reference": a.decision_reference,
                "zones": sorted(z.code for z in a.zones.all()),
            }
            for index, a in enumerate(approvals)
        ],
        "certifications": [
            {
                "level": c.level,
                "certifier": c.certifier,
                "certified_on": c.certified_on,
                "expires_on": c.expires_on,
                "renewable": c.level in RENEWABLE_LEVELS,
            }
            for c in spsti.certifications.all()
        ],
    }


def _data(payload: ServiceIn) -> services.SpstiData:
    [headquarters] = _departments([payload.headquarters_department], "headquarters_department")
    return services.SpstiData(
        siret=normalise_siret(payload.siret),
        name=payload.name.strip(),
        headquarters_department=headquarters,
        employees_followed=payload.employees_followed,
        member_companies=payload.member_companies,
        departments=_departments(payload.departments, "departments"),
        short_name=payload.short_name.strip(),
        category=payload.category,
        sector=payload.sector.strip(),
        city=payload.city.strip(),
        address=payload.address.strip(),
    )


@router.get(
    "",
    response={200: ServicePage, 403: Error},
    summary="Services du registre dans le périmètre",
    description="Filtres : région, département couvert, recherche sur le nom, la commune ou le début du SIRET.",
)
def list_services(request, filters: Query[RegistryFilters]):
    _require(request, Perm.REGISTRY_VIEW)
    rows = selectors.registry_list(
        request.user, selectors.RegistryFilters(region=filters.region, department=filters.department, q=filters.q)
    )
    return {
        "count": rows.count(),
        "offset": filters.offset,
        "results": [_summary(s) for s in rows[filters.offset : filters.offset + filters.limit]],
    }


@router.get("/{siret}", response={200: ServiceOut, 403: Error, 404: Error}, summary="Fiche d'un service par son SIRET")
def get_service(request, siret: str):
    _require(request, Perm.REGISTRY_VIEW)
    return _detail(_service(request, siret))


@router.post(
    "",
    response={201: ServiceOut, **ERRORS},
    summary="Inscrire un service au registre",
    description="Refusé (422) si le SIRET est invalide ou déjà inscrit, ou si le siège est hors de la région.",
)
def register_service(request, payload: ServiceIn):
    _require(request, Perm.REGISTRY_EDIT)
    spsti = services.spsti_register(by=request.user, data=_data(payload))
    return Status(201, _detail(selectors.spsti_detail(request.user, spsti.pk)))


@router.put("/{siret}", response={200: ServiceOut, **ERRORS}, summary="Mettre à jour la fiche d'un service")
def update_service(request, siret: str, payload: ServiceIn):
    _require(request, Perm.REGISTRY_EDIT)
    spsti = services.spsti_update(by=request.user, spsti=_service(request, siret), data=_data(payload))
    return _detail(selectors.spsti_detail(request.user, spsti.pk))


@router.post(
    "/{siret}/approvals",
    response={201: ServiceOut, **ERRORS},
    summary="Enregistrer un agrément ou son renouvellement",
    description="Au plus 5 ans, 2 ans pour un agrément réduit (décret 2022-1435) ; sans chevauchement.",
)
def record_approval(request, siret: str, payload: ApprovalIn):
    _require(request, Perm.REGISTRY_EDIT)
    spsti = _service(request, siret)
    data = payload.dict()
    zones = _departments(data.pop("zones"), "zones") or list(spsti.departments.all())
    services.approval_record(by=request.user, spsti=spsti, zones=zones, **data)
    return Status(201, _detail(selectors.spsti_detail(request.user, spsti.pk)))


@router.post(
    "/{siret}/certifications",
    response={201: ServiceOut, **ERRORS},
    summary="Enregistrer une certification",
    description="Niveau 1, 2 ou 3, valable 2, 3 ou 5 ans ; seul le niveau 3 se renouvelle au même niveau.",
)
def record_certification(request, siret: str, payload: CertificationIn):
    _require(request, Perm.REGISTRY_EDIT)
    spsti = _service(request, siret)
    services.certification_record(by=request.user, spsti=spsti, **payload.dict())
    return Status(201, _detail(selectors.spsti_detail(request.user, spsti.pk)))


@router.post(
    "/{siret}/merger",
    response={201: ServiceOut, **ERRORS},
    summary="Enregistrer la fusion d'un service dans un autre",
    description="Le service désigné est dissous à la date donnée et absorbé par le service `into` (SIRET).",
)
def record_merger(request, siret: str, payload: MergerIn):
    _require(request, Perm.REGISTRY_EDIT)
    absorbed = _service(request, siret)
    into = Spsti.objects.visible_to(request.user).filter(siret=normalise_siret(payload.into)).first()
    if into is None:
        raise DomainError("Aucun service de ce SIRET dans votre périmètre.", field="into")
    services.spsti_merge(by=request.user, absorbed=absorbed, into=into, on=payload.on)
    return Status(201, _detail(selectors.spsti_detail(request.user, absorbed.pk)))
