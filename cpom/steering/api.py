"""Consolidated figures in the API: the same consolidation module and the same scope as the dashboards."""

import datetime as dt
from dataclasses import asdict

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Field, Router, Schema

from cpom.core.errors import DomainError
from cpom.core.permissions import Perm
from cpom.core.schemas import Error
from cpom.core.tables import Table
from cpom.organisations.selectors import regions_in_scope
from cpom.reports.selectors import deadlines
from cpom.territory.models import Region

from . import tables
from .consolidation import completeness, coverage, every_region, held_years, tableau1

router = Router(tags=["Tableaux de bord"])


class ThemeFigures(Schema):
    """One theme of IGAS Tableau 1 (§161) for a region or the nation."""

    total_services: int
    services_retaining_theme: int
    establishments_supported: int


class RegionFigures(Schema):
    themes: dict[str, ThemeFigures]
    services_retaining_pdp: int = Field(
        description="Services agréés parties à un contrat en vigueur dans l'année comportant un axe PDP (DESIGN §7)"
    )
    services_with_pdp_cell: int
    employees_supported_pdp: int
    employees_in_coordinated_pathway: int


class CompletenessOut(Schema):
    owed: int
    submitted_or_validated: int
    on_time: int


class RegionalOut(Schema):
    region: str
    year: int
    figures: RegionFigures | None
    completeness: CompletenessOut
    coverage: dict[int, tuple[int, int]]


def _require(request, year: int) -> None:
    if not request.user.can(Perm.DASHBOARD_VIEW):
        raise PermissionDenied("Votre rôle ne donne pas accès aux tableaux de bord.")
    first, last = held_years()
    if not first <= year <= last:
        raise DomainError(
            f"L'année {year} est hors des années que tient la plateforme ({first} à {last}).", field="year"
        )


@router.get(
    "/national", response={200: dict[str, RegionFigures], 403: Error}, summary="Tableau 1 par région et total national"
)
def national(request, year: int, include_submitted: bool = False):
    _require(request, year)
    if not request.user.scope.is_nation:
        raise PermissionDenied("Le tableau national est réservé à la cellule nationale.")
    regions = Region.objects.order_by("code").values_list("code", flat=True)
    figures = every_region(tableau1(year, include_submitted=include_submitted), regions)
    return {key: asdict(value) for key, value in figures.items()}


@router.get("/regions/{code}", response={200: RegionalOut, 403: Error, 404: Error}, summary="Tableau de bord régional")
def regional(request, code: str, year: int, include_submitted: bool = False):
    _require(request, year)
    if not regions_in_scope(request.user).filter(code=code).exists():
        raise Http404
    figures = tableau1(year, include_submitted=include_submitted, region_id=code).get(code)
    done = completeness(year, deadline=deadlines(year)(code), region_id=code)
    return {
        "region": code,
        "year": year,
        "figures": asdict(figures) if figures else None,
        "completeness": {
            "owed": done.owed,
            "submitted_or_validated": done.submitted_or_validated,
            "on_time": done.on_time,
        },
        "coverage": coverage(year).get(code, {}),
    }


class TableOut(Schema):
    slug: str
    caption: str
    columns: list[str]
    rows: list[list[int | float | str | None]]


def _tables_out(tables: list[Table]) -> list[dict]:
    return [
        {
            "slug": table.slug,
            "caption": table.caption,
            "columns": table.export_header(),
            "rows": [
                [value.isoformat() if isinstance(value, dt.date) else value for value in row]
                for row in table.export_rows()
            ],
        }
        for table in tables
    ]


@router.get(
    "/national/tables",
    response={200: list[TableOut], 403: Error},
    summary="Tableaux du tableau de bord national (mêmes chiffres que la page et ses exports)",
)
def national_tables(request, year: int, include_submitted: bool = False):
    _require(request, year)
    if not request.user.scope.is_nation:
        raise PermissionDenied("Le tableau national est réservé à la cellule nationale.")
    return _tables_out(tables.national_tables(year, include_submitted=include_submitted))


@router.get(
    "/regions/{code}/tables",
    response={200: list[TableOut], 403: Error, 404: Error},
    summary="Tableaux d'un tableau de bord régional (mêmes chiffres que la page et ses exports)",
)
def regional_tables(request, code: str, year: int, include_submitted: bool = False):
    _require(request, year)
    region = regions_in_scope(request.user).filter(code=code).first()
    if region is None:
        raise Http404
    current = tableau1(year, include_submitted=include_submitted, region_id=code)
    return _tables_out(
        tables.regional_tables(
            year, region, current, include_submitted=include_submitted, named=tables.named_for(request.user)
        )
    )
