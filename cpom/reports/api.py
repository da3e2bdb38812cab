"""Annual reports in the REST API: the same functions, rules and scope as the pages."""

import datetime as dt
from dataclasses import asdict

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Field, Router, Schema, Status

from cpom.core.permissions import Perm
from cpom.core.schemas import Error, InputSchema

from . import services
from .campaigns import open_collection
from .enums import Channel
from .layout import report_layout
from .models import Report
from .selectors import approval_state, deadline_for, previous_values, return_review

router = Router(tags=["Rapports annuels"])
collections_router = Router(tags=["Collecte annuelle"])


class Problem(Schema):
    field: str
    detail: str


class Invalid(Schema):
    """A refused write: the values breaking a rule, each with its case; a malformed request has no `errors`."""

    detail: str
    errors: list[Problem] = []
    rule: str | None = None
    field: str | None = None


class Conflict(Schema):
    detail: str
    version: int
    changes: list[dict]


class ReportSummary(Schema):
    id: int
    year: int
    service: str
    siret: str
    contract: str
    status: str
    version: int
    deadline: dt.date


class CellOut(Schema):
    key: str
    indicator: str
    label: str
    theme: str | None
    type: str
    rule: str
    parent: str | None
    value: str
    previous: str


class ActionProgressOut(Schema):
    id: int
    number: str
    title: str
    status: str
    comment: str


class ReviewOut(Schema):
    comment: str
    at: dt.datetime
    cells: dict[str, str]


class AcceptanceOut(Schema):
    organisation: str
    at: dt.datetime | None


class ReportDetail(ReportSummary):
    cells: list[CellOut]
    actions: list[ActionProgressOut]
    comments: str
    review: ReviewOut | None = None  # while returned for correction: the reviewer's comments
    joint_validation: bool = False  # the DREETS and the caisse must both accept (POST …/validate by each)
    approvals: list[AcceptanceOut] = []  # under joint validation: each party and when it accepted


class ValuesIn(InputSchema):
    model_config = {
        "json_schema_extra": {
            "examples": [{"version": 3, "values": {"ETAB_ACCOMPAGNES|TMS": "12", "PDP_CELLULE_DATE|PDP": "01/03/2025"}}]
        }
    }

    version: int
    values: dict[str, str]
    progress: dict[int, tuple[str, str]] | None = None
    comments: str | None = None


class CommentIn(InputSchema):
    model_config = {
        "json_schema_extra": {"examples": [{"comment": "Le nombre d'établissements accompagnés TMS est à vérifier."}]}
    }

    comment: str
    cell_comments: dict[str, str] = {}  # a comment on cells of the report, by key (« INDICATEUR|THEME »)


class ReasonIn(InputSchema):
    model_config = {"json_schema_extra": {"examples": [{"reason": "Correction d'une valeur après validation."}]}}

    reason: str


def _report(request, report_id: int) -> Report:
    if not request.user.can(Perm.REPORT_VIEW):
        raise PermissionDenied("Votre rôle ne donne pas accès aux rapports.")
    try:
        return services.reports_visible_to(request.user).select_related("spsti", "contract").get(pk=report_id)
    except Report.DoesNotExist as error:
        raise Http404 from error


def _summary(report: Report) -> dict:
    return {
        "id": report.pk,
        "year": report.year,
        "service": report.spsti.name,
        "siret": report.spsti.siret,
        "contract": report.contract.reference,
        "status": report.status,
        "version": report.version,
        "deadline": deadline_for(report.year, report.contract.region_id),
    }


def _detail(report: Report) -> dict:
    layout = report_layout(report)
    values = services.current_values(report)
    previous = previous_values(report)
    progress = {p.action_id: p for p in report.progress.all()}
    approvals = approval_state(report)
    return _summary(report) | {
        "cells": [
            {
                "key": cell.key,
                "indicator": cell.indicator.code,
                "label": cell.indicator.label,
                "theme": cell.theme.code if cell.theme else None,
                "type": cell.indicator.value_type,
                "rule": cell.indicator.rule,
                "parent": cell.indicator.parent_id,
                "value": values.get(cell.key, ""),
                "previous": previous.get(cell.key, ""),
            }
            for cell in layout.cells()
        ],
        "actions": [
            {
                "id": action.pk,
                "number": f"{action.axis.number}.{action.number}",
                "title": action.title,
                "status": progress[action.pk].status if action.pk in progress else "",
                "comment": progress[action.pk].comment if action.pk in progress else "",
            }
            for action in layout.actions
        ],
        "comments": report.comments,
        "review": return_review(report),
        "joint_validation": approvals is not None,
        "approvals": approvals or [],
    }


@router.get("", response=list[ReportSummary], summary="Rapports de mon périmètre pour une année")
def list_reports(request, year: int):
    if not request.user.can(Perm.REPORT_VIEW):
        raise PermissionDenied("Votre rôle ne donne pas accès aux rapports.")
    reports = services.reports_visible_to(request.user).filter(year=year).select_related("spsti", "contract")
    return [_summary(r) for r in reports.order_by("spsti__name", "pk")]


@router.get("/{report_id}", response={200: ReportDetail, 404: Error}, summary="Un rapport : cases, valeurs, actions")
def get_report(request, report_id: int):
    return _detail(_report(request, report_id))


@router.put(
    "/{report_id}/values",
    response={200: ReportDetail, 404: Error, 409: Conflict, 422: Invalid},
    summary="Écrire l'ensemble des valeurs (une case absente est vidée) ; 409 si la version est périmée",
)
def put_values(request, report_id: int, payload: ValuesIn):
    report = _report(request, report_id)
    layout = report_layout(report)
    unknown = [key for key in payload.values if key not in {c.key for c in layout.cells()}]
    whole = {cell.key: payload.values.get(cell.key, "") for cell in layout.cells()}
    whole.update({key: payload.values[key] for key in unknown})
    try:
        report = services.save_values(
            by=request.user,
            report=report,
            values=whole,
            version=payload.version,
            channel=Channel.API,
            progress=payload.progress,
            comments=payload.comments,
        )
    except services.StaleReport as conflict:
        current = Report.objects.get(pk=report.pk)
        return Status(
            409,
            {
                "detail": conflict.message,
                "version": current.version,
                "changes": [
                    {
                        "key": f"{c.indicator_id}|{c.theme_id or ''}",
                        "before": c.before,
                        "after": c.after,
                        "at": c.changed_at.isoformat(),
                    }
                    for c in conflict.changes
                ],
            },
        )
    except services.InvalidValues as invalid:
        return Status(
            422,
            {"detail": invalid.message, "errors": [{"field": p.key, "detail": p.message} for p in invalid.problems]},
        )
    return _detail(report)


@router.post(
    "/{report_id}/submit",
    response={200: ReportSummary, 404: Error, 422: Error},
    summary="Transmettre le rapport (le service)",
)
def submit(request, report_id: int):
    return _summary(services.submit(by=request.user, report=_report(request, report_id)))


@router.post(
    "/{report_id}/validate",
    response={200: ReportSummary, 404: Error, 422: Error},
    summary="Valider le rapport transmis (agents)",
)
def validate(request, report_id: int):
    return _summary(services.validate(by=request.user, report=_report(request, report_id)))


@router.post(
    "/{report_id}/return", response={200: ReportSummary, 404: Error, 422: Error}, summary="Renvoyer pour correction"
)
def return_for_correction(request, report_id: int, payload: CommentIn):
    report = _report(request, report_id)
    return _summary(
        services.return_for_correction(
            by=request.user, report=report, comment=payload.comment, cell_comments=payload.cell_comments
        )
    )


@router.post(
    "/{report_id}/reopen",
    response={200: ReportSummary, 404: Error, 422: Error},
    summary="Rouvrir un rapport validé (agents)",
)
def reopen(request, report_id: int, payload: ReasonIn):
    return _summary(services.reopen(by=request.user, report=_report(request, report_id), reason=payload.reason))


class CollectionOut(Schema):
    year: int
    campaign_created: bool = Field(description="La campagne nationale de l'année vient d'être créée")
    reports_created: int = Field(description="Rapports dus créés par cet appel (0 au second appel)")
    reports_owed: int = Field(description="Rapports de l'année après l'appel")


@collections_router.post(
    "/{year}",
    response={200: CollectionOut, 401: Error, 403: Error, 422: Error},
    summary="Ouvrir la collecte d'une année (cellule nationale)",
    description=(
        "Crée la campagne nationale de l'année (dates par défaut) si elle manque et chaque rapport dû par un "
        "service partie à un contrat en vigueur dans l'année. Sans effet au second appel, qui le dit "
        "(`reports_created` = 0)."
    ),
)
def open_year(request, year: int):
    if not request.user.can(Perm.REPORT_VIEW) or not request.user.scope.is_nation:
        raise PermissionDenied("Seule la cellule nationale ouvre la collecte d'une année.")
    return asdict(open_collection(by=request.user, year=year))
