"""Contracts in the REST API: the same selectors and lifecycle functions as the pages."""

import base64
import binascii
import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from cpom.core.errors import DomainError
from cpom.core.permissions import Perm
from cpom.core.schemas import Error, InputSchema
from cpom.organisations.models import Spsti
from cpom.organisations.siret import normalise_siret

from . import lifecycle, selectors
from .attachments import AttachedDocument
from .campaigns import campaigns_visible_to
from .document import contract_docx
from .enums import AmendmentKind, ConsultedBody, ContractStatus, Opinion, VersionStatus
from .models import Amendment, Contract, ContractVersion
from .pdf import contract_pdf
from .versions import current_hash, diff, snapshot, text_to_sign, version_label

router = Router(tags=["Contrats"])
MAX_PAGE = 100


class PartyOut(Schema):
    id: int
    organisation: str
    organisation_id: int
    role: str
    signatory_title: str
    signed_on: dt.date | None


class ContractSummary(Schema):
    id: int
    reference: str
    title: str
    region: str
    generation: int
    status: str
    negotiation_started_on: dt.date
    start: dt.date | None
    end: dt.date | None
    services: list[str]


class ContractPage(Schema):
    count: int
    offset: int
    results: list[ContractSummary]


class ActionOut(Schema):
    number: str
    title: str
    theme: str | None
    objective: str
    method: str
    calendar: str


class AxisOut(Schema):
    number: int
    kind: str
    title: str
    description: str
    actions: list[ActionOut]


class IndicatorOut(Schema):
    code: str
    label: str
    scope: str
    theme: str | None
    level: str
    targets: dict[int, str]


class ConsultationOut(Schema):
    body: str
    given_on: dt.date
    opinion: str
    comment: str


class AmendmentOut(Schema):
    number: int
    kind: str
    summary: str
    new_end: dt.date | None
    status: str
    applied_on: dt.date | None


class VersionOut(Schema):
    number: int
    label: str
    status: str
    created_on: dt.date
    effective_on: dt.date | None
    superseded_on: dt.date | None
    content_sha256: str


class ContractDetail(ContractSummary):
    planned_end: dt.date | None
    pdp_cell_composition: str
    parties: list[PartyOut]
    axes: list[AxisOut]
    indicators: list[IndicatorOut]
    commitments: dict[str, list[str]]
    consultations: list[ConsultationOut]
    amendments: list[AmendmentOut]
    versions: list[VersionOut]


class Filters(InputSchema):
    short_fields = frozenset({"region", "theme", "q"})

    region: str = ""
    generation: int | None = None
    status: ContractStatus | None = None
    theme: str = ""
    expiring: bool = False
    q: str = ""
    offset: int = 0
    limit: int = 20


class DraftIn(InputSchema):
    services: list[str] = Field(
        description="SIRET des services parties au contrat (règle R1)", examples=[["35600000000048"]]
    )
    campaign: int | None = None
    generation: int | None = None


class DocumentIn(Schema):
    """A signed document attached as evidence: a PAdES-signed PDF (verified) or a scan (PDF, PNG, JPEG)."""

    name: str = Field(..., max_length=200, examples=["avis-ars.pdf"])
    content_base64: str = Field(..., description="Le fichier encodé en base64 (20 Mo au plus une fois décodé).")

    def attached(self) -> AttachedDocument:
        try:
            data = base64.b64decode(self.content_base64, validate=True)
        except (binascii.Error, ValueError) as error:
            raise DomainError("Le document joint n'est pas encodé en base64.", field="document") from error
        return AttachedDocument(name=self.name, data=data)


class OpinionIn(InputSchema):
    model_config = {
        "json_schema_extra": {
            "examples": [{"body": "crpst", "given_on": "2025-03-14", "opinion": "favorable", "comment": ""}]
        }
    }

    body: ConsultedBody
    given_on: dt.date
    opinion: Opinion
    comment: str = ""
    document: DocumentIn | None = Field(
        None, description="Procès-verbal du CRPST, ou courrier de l'ARS quand l'avis est saisi pour son compte."
    )


class SignatureIn(InputSchema):
    short_fields = frozenset({"signatory_title"})
    model_config = {
        "json_schema_extra": {
            "examples": [{"party": 12, "signed_on": "2025-04-01", "signatory_title": "Directrice régionale"}]
        }
    }

    party: int
    signed_on: dt.date
    signatory_title: str
    document: DocumentIn | None = Field(
        None, description="Document signé : obligatoire pour enregistrer la signature d'une autre partie."
    )


class AmendmentIn(InputSchema):
    model_config = {
        "json_schema_extra": {
            "examples": [{"kind": "modification", "summary": "Ajuster les cibles de l'axe 2.", "new_end": None}]
        }
    }

    kind: AmendmentKind
    summary: str
    new_end: dt.date | None = None


class TerminationIn(InputSchema):
    short_fields = frozenset({"registered_letter_reference"})
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "party": 12,
                    "notified_on": "2026-01-15",
                    "effective_on": "2026-04-15",
                    "reason": "Fusion du service.",
                    "registered_letter_reference": "RAR 1A 234 567 8901 2",
                }
            ]
        }
    }

    party: int
    notified_on: dt.date
    effective_on: dt.date
    reason: str
    registered_letter_reference: str


class ChangeOut(Schema):
    section: str
    item: str
    field: str
    kind: str
    before: str
    after: str


def _require(request, perm: Perm) -> None:
    if not request.user.can(perm):
        raise PermissionDenied("Votre rôle ne permet pas cette opération.")


def _require_signer(request) -> None:
    if not (request.user.can(Perm.CONTRACT_SIGN) or request.user.can(Perm.CONTRACT_EDIT)):
        raise PermissionDenied("Votre rôle ne permet pas de signer un contrat.")


def _contract(request, contract_id: int) -> Contract:
    _require(request, Perm.CONTRACT_VIEW)
    try:
        return selectors.contract_detail(request.user, contract_id)
    except Contract.DoesNotExist as error:
        raise Http404 from error


def _summary(contract: Contract) -> dict:
    return {
        "id": contract.pk,
        "reference": contract.reference,
        "title": contract.title,
        "region": contract.region.name,
        "generation": contract.generation,
        "status": contract.current_status,
        "negotiation_started_on": contract.negotiation_started_on,
        "start": contract.start,
        "end": contract.end,
        "services": [p.organisation.name for p in getattr(contract, "service_parties", [])]
        or [p.organisation.name for p in contract.parties.all() if p.role == "spsti"],
    }


def _detail(contract: Contract) -> dict:
    commitments: dict[str, list[str]] = {}
    for commitment in contract.commitments.all():
        commitments.setdefault(commitment.party_role, []).append(commitment.text)
    return _summary(contract) | {
        "planned_end": contract.planned_end,
        "pdp_cell_composition": contract.pdp_cell_composition,
        "parties": [
            {
                "id": p.pk,
                "organisation": p.organisation.name,
                "organisation_id": p.organisation_id,
                "role": p.role,
                "signatory_title": p.signatory_title,
                "signed_on": p.signed_on,
            }
            for p in contract.parties.all()
        ],
        "axes": [
            {
                "number": axis.number,
                "kind": axis.kind,
                "title": axis.title,
                "description": axis.description,
                "actions": [
                    {
                        "number": f"{axis.number}.{action.number}",
                        "title": action.title,
                        "theme": action.theme_id,
                        "objective": action.objective,
                        "method": action.method,
                        "calendar": action.calendar,
                    }
                    for action in axis.actions.all()
                ],
            }
            for axis in contract.axes.all()
        ],
        "indicators": [
            {
                "code": row.indicator_id,
                "label": row.indicator.label,
                "scope": row.indicator.scope,
                "theme": row.theme_id,
                "level": row.indicator.level,
                "targets": {target.year: target.value for target in row.targets.all()},
            }
            for row in contract.indicators.all()
        ],
        "commitments": commitments,
        "consultations": list(contract.consultations.all()),
        "amendments": list(contract.amendments.all()),
        "versions": list(contract.signed_versions),
    }


@router.get("", response=ContractPage, summary="Contrats du périmètre de l'utilisateur")
def list_contracts(request, filters: Query[Filters]):
    _require(request, Perm.CONTRACT_VIEW)
    limit = max(1, min(filters.limit, MAX_PAGE))
    offset = max(0, filters.offset)
    queryset = selectors.contract_list(
        request.user,
        selectors.ContractFilters(
            region=filters.region,
            generation=filters.generation,
            status=filters.status or "",
            theme=filters.theme,
            expiring=filters.expiring,
            q=filters.q,
        ),
    )
    return {
        "count": queryset.count(),
        "offset": offset,
        "results": [_summary(c) for c in queryset[offset : offset + limit]],
    }


@router.get("/{contract_id}", response={200: ContractDetail, 404: Error}, summary="Un contrat et tout son contenu")
def get_contract(request, contract_id: int):
    return _detail(_contract(request, contract_id))


@router.post("", response={201: ContractDetail, 403: Error, 422: Error}, summary="Créer un projet de contrat (R1)")
def create_draft(request, payload: DraftIn):
    _require(request, Perm.CONTRACT_EDIT)
    sirets = {normalise_siret(siret) for siret in payload.services}
    services = list(Spsti.objects.visible_to(request.user).filter(siret__in=sirets))
    if len(services) != len(sirets):
        raise Http404
    campaign = None
    if payload.campaign is not None:
        campaign = get_object_or_404(campaigns_visible_to(request.user), pk=payload.campaign)
    contract = lifecycle.create_draft(
        by=request.user, services=services, campaign=campaign, generation=payload.generation, on=timezone.localdate()
    )
    return Status(201, _detail(selectors.contract_detail(request.user, contract.pk)))


@router.post(
    "/{contract_id}/consultation",
    response={200: ContractDetail, 403: Error, 404: Error, 422: Error},
    summary="Envoyer en consultation (R5, R6)",
)
def send_for_consultation(request, contract_id: int):
    _require(request, Perm.CONTRACT_EDIT)
    contract = _contract(request, contract_id)
    lifecycle.send_for_consultation(by=request.user, contract=contract, on=timezone.localdate())
    return _detail(selectors.contract_detail(request.user, contract.pk))


@router.post(
    "/{contract_id}/opinions",
    response={201: ContractDetail, 403: Error, 404: Error, 422: Error},
    summary="Enregistrer l'avis du CRPST ou de l'ARS (R4)",
)
def record_opinion(request, contract_id: int, payload: OpinionIn):
    if not (request.user.can(Perm.CONTRACT_EDIT) or request.user.can(Perm.CONTRACT_OPINION)):
        raise PermissionDenied("Votre rôle ne permet pas d'enregistrer un avis.")
    contract = _contract(request, contract_id)
    data = payload.dict(exclude={"document"})
    document = payload.document.attached() if payload.document else None
    lifecycle.record_opinion(by=request.user, contract=contract, document=document, **data)
    return Status(201, _detail(selectors.contract_detail(request.user, contract.pk)))


@router.post(
    "/{contract_id}/signatures",
    response={201: ContractDetail, 403: Error, 404: Error, 422: Error},
    summary="Enregistrer la signature d'une partie (R2, R3, R4)",
)
def record_signature(request, contract_id: int, payload: SignatureIn):
    _require_signer(request)
    contract = _contract(request, contract_id)
    party = get_object_or_404(contract.parties.all(), pk=payload.party)
    lifecycle.record_signature(
        by=request.user,
        contract=contract,
        party=party,
        signed_on=payload.signed_on,
        signatory_title=payload.signatory_title,
        document=payload.document.attached() if payload.document else None,
    )
    return Status(201, _detail(selectors.contract_detail(request.user, contract.pk)))


@router.post(
    "/{contract_id}/amendments",
    response={201: AmendmentOut, 403: Error, 404: Error, 422: Error},
    summary="Ouvrir un avenant ou une prolongation (R2, R3, R7)",
)
def open_amendment(request, contract_id: int, payload: AmendmentIn):
    _require(request, Perm.CONTRACT_EDIT)
    contract = _contract(request, contract_id)
    amendment = lifecycle.open_amendment(by=request.user, contract=contract, on=timezone.localdate(), **payload.dict())
    return Status(201, amendment)


@router.post(
    "/{contract_id}/amendments/{number}/signatures",
    response={201: AmendmentOut, 403: Error, 404: Error, 422: Error},
    summary="Signer un avenant ; il s'applique à la dernière signature (R7)",
)
def sign_amendment(request, contract_id: int, number: int, payload: SignatureIn):
    _require_signer(request)
    contract = _contract(request, contract_id)
    amendment = get_object_or_404(Amendment, contract=contract, number=number)
    party = get_object_or_404(contract.parties.all(), pk=payload.party)
    amendment = lifecycle.sign_amendment(
        by=request.user,
        amendment=amendment,
        party=party,
        signed_on=payload.signed_on,
        signatory_title=payload.signatory_title,
        document=payload.document.attached() if payload.document else None,
    )
    return Status(201, amendment)


@router.post(
    "/{contract_id}/termination",
    response={201: ContractDetail, 403: Error, 404: Error, 422: Error},
    summary="Dénoncer le contrat (R8)",
)
def terminate(request, contract_id: int, payload: TerminationIn):
    _require(request, Perm.CONTRACT_EDIT)
    contract = _contract(request, contract_id)
    party = get_object_or_404(contract.parties.all(), pk=payload.party)
    data = payload.dict()
    data.pop("party")
    lifecycle.terminate(by=request.user, contract=contract, party=party, **data)
    return Status(201, _detail(selectors.contract_detail(request.user, contract.pk)))


@router.get(
    "/{contract_id}/versions/diff",
    response={200: list[ChangeOut], 404: Error},
    summary="Différences entre deux versions signées",
)
def version_diff(request, contract_id: int, before: int, after: int):
    contract = _contract(request, contract_id)
    versions = {v.number: v for v in ContractVersion.objects.filter(contract=contract)}
    if before not in versions or after not in versions:
        raise Http404

    def text(version):
        return snapshot(version) if version.status == VersionStatus.DRAFT else version.snapshot

    return [
        {"section": c.section, "item": c.item, "field": c.field, "kind": c.kind, "before": c.before, "after": c.after}
        for c in diff(text(versions[before]), text(versions[after]))
    ]


@router.get(
    "/{contract_id}/pdf",
    response={200: None, 404: Error},
    summary="Le texte à signer en PDF A4 (empreinte du contenu en pied de page et en métadonnées)",
    openapi_extra={"responses": {"200": {"description": "Document PDF", "content": {"application/pdf": {}}}}},
)
def contract_pdf_document(request, contract_id: int, avenant: bool = False):
    contract = _contract(request, contract_id)
    version = text_to_sign(contract, proposed=avenant)
    content = contract_pdf(
        contract, content_sha256=current_hash(version), version_label=version_label(version), version=version
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{contract.reference}-version-{version.number}.pdf"'
    return response


@router.get(
    "/{contract_id}/document",
    response={200: None, 404: Error},
    summary="Le contrat au format Word (.docx)",
    openapi_extra={
        "responses": {
            "200": {
                "description": "Document Word",
                "content": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {}},
            }
        }
    },
)
def contract_document(request, contract_id: int):
    contract = _contract(request, contract_id)
    response = HttpResponse(
        contract_docx(contract),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{contract.reference}.docx"'
    return response
