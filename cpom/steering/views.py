"""National and regional dashboards: consolidated figures of the user's scope, live from the reports."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from cpom.core.decorators import require_perm
from cpom.core.exports import csv_response
from cpom.core.pages import crumbs, year_param
from cpom.core.permissions import Perm
from cpom.core.tables import offer
from cpom.core.word import docx_response, tables_document
from cpom.organisations.models import Spsti
from cpom.organisations.selectors import regions_in_scope
from cpom.reports.models import Report, ReportingCampaign
from cpom.reports.selectors import deadlines
from cpom.territory.models import Region

from . import charts, opendata, tables
from .consolidation import (
    MIN_PEERS,
    completeness,
    completeness_by_region,
    tableau1,
)
from .tables import watch_tables
from .watch import watch


def _region(request, code: str) -> Region:
    region = regions_in_scope(request.user).filter(code=code).first()
    if region is None:
        raise Http404("Région hors de votre périmètre.")
    return region


def _common(request) -> tuple[int, bool]:
    return year_param(request), request.GET.get("transmis") == "1"


NATIONAL_VIEWS = [
    ("synthese", "Synthèse"),
    ("couverture", "Couverture par région"),
    ("completude", "Complétude des rapports"),
    ("indicateurs", "Indicateurs et tendance"),
    ("avancement", "Avancement des actions"),
]
# The tables each view builds (the summary: the map's coverage, Tableau 1 and the completeness of the key figures).
_VIEW_TABLES = {
    "synthese": ["couverture", "tableau1", "completude"],
    "couverture": ["couverture"],
    "completude": ["completude"],
    "indicateurs": ["indicateurs"],
    "avancement": ["avancement"],
}


@require_perm(Perm.DASHBOARD_VIEW)
def national(request):
    """Summary first (key figures, the map, Tableau 1); each detailed table on its own tab, still downloadable."""
    if not request.user.scope.is_nation:
        raise PermissionDenied("Le tableau de bord national est réservé à la cellule nationale.")
    year, with_submitted = _common(request)
    builders = tables.national_builders(year, include_submitted=with_submitted)
    if request.GET.get("format") in ("csv", "xlsx"):
        slug = request.GET.get("tableau", "couverture")
        if slug not in builders:
            raise Http404("Tableau inconnu sur cette page.")
        return offer(request.GET, [builders[slug]()], f"national-{year}")
    view = request.GET.get("vue", "synthese")
    if view not in _VIEW_TABLES:
        view = "synthese"
    built = {slug: builders[slug]() for slug in _VIEW_TABLES[view]}
    offer(request.GET, list(built.values()), f"national-{year}")
    params = request.GET.copy()
    params.pop("format", None)
    params.pop("tableau", None)
    views = []
    for key, label in NATIONAL_VIEWS:
        params["vue"] = key
        views.append({"key": key, "label": label, "url": "?" + params.urlencode()})
    context = {
        "page_title": f"Tableau de bord national {year}"
        + ("" if view == "synthese" else f" — {dict(NATIONAL_VIEWS)[view]}"),
        "breadcrumb_data": crumbs("Tableau de bord national"),
        "year": year,
        "with_submitted": with_submitted,
        "view": view,
        "views": views,
        "tables": built,
    }
    if view == "synthese":
        coverage_footer, completeness_footer = built["couverture"].footer, built["completude"].footer
        # footers: (label, approved, under contract, share) and
        # (label, owed, submitted or validated, share, on time, share)
        context |= {
            "key_figures": {
                "approved": coverage_footer[1],
                "under_contract": coverage_footer[2],
                "coverage": coverage_footer[3],
                "owed": completeness_footer[1],
                "done": completeness_footer[2],
                "completeness": completeness_footer[3],
                "late": completeness_footer[1] - completeness_footer[4],
            },
            "charts": {"map": charts.coverage_map(built["couverture"])},
        }
    elif view == "indicateurs":
        context["charts"] = {"trend": charts.trend_lines(built["indicateurs"])}
    return render(request, "steering/national.html", context)


@require_perm(Perm.DASHBOARD_VIEW)
def regional(request, code: str):
    region = _region(request, code)
    year, with_submitted = _common(request)
    links = [(reverse("steering:national"), "National")] if request.user.scope.is_nation else []
    current = tableau1(year, include_submitted=with_submitted, region_id=region.code)
    page_tables = tables.regional_tables(
        year, region, current, include_submitted=with_submitted, named=tables.named_for(request.user)
    )
    theme_tbl, trend = page_tables[:2]
    if response := offer(request.GET, page_tables, f"{slugify(region.name)}-{year}"):
        return response
    return render(
        request,
        "steering/regional.html",
        {
            "page_title": f"Tableau de bord {region.name} {year}",
            "breadcrumb_data": crumbs(region.name, *links),
            "region": region,
            "year": year,
            "with_submitted": with_submitted,
            "tables": page_tables,
            "current": current.get(region.code),
            "completeness": completeness(year, deadline=deadlines(year)(region.code), region_id=region.code),
            "charts": charts.regional(theme_tbl, trend, year),
        },
    )


@require_perm(Perm.REPORT_VIEW)
def restitution(request, pk: int):
    spsti = Spsti.objects.visible_to(request.user).filter(pk=pk).select_related("region").first()
    if spsti is None:
        raise Http404("Service hors de votre périmètre.")
    year, with_submitted = _common(request)
    reports = list(
        Report.objects.filter(spsti=spsti, year__in=[year, year - 1])
        .select_related("contract")
        .prefetch_related("values__indicator", "values__theme", "events__by__organisation")
    )
    events = [
        event
        for report in reports
        if report.year == year
        for event in report.events.all()
        if event.comment or event.kind == "validation"
    ]
    page_tables = tables.restitution_tables(year, spsti, reports, include_submitted=with_submitted)
    if response := offer(request.GET, page_tables, f"restitution-{spsti.pk}-{year}"):
        return response
    return render(
        request,
        "steering/restitution.html",
        {
            "page_title": f"Restitution {year} — {spsti.name}",
            "breadcrumb_data": crumbs(f"Restitution {year}"),
            "spsti": spsti,
            "year": year,
            "with_submitted": with_submitted,
            "tables": page_tables,
            "min_peers": MIN_PEERS,
            "events": sorted(events, key=lambda e: e.at),
        },
    )


@require_perm(Perm.CONTRACT_EDIT)
def compliance_watch(request):
    today = timezone.localdate()
    page_tables = watch_tables(watch(request.user, today), today.year - 1)
    if response := offer(request.GET, page_tables, f"vigilance-{today:%Y-%m-%d}"):
        return response
    return render(
        request,
        "steering/watch.html",
        {
            "page_title": "Points de vigilance",
            "breadcrumb_data": crumbs("Points de vigilance"),
            "tables": page_tables,
        },
    )


@login_not_required
def open_data(request):
    years = sorted(set(ReportingCampaign.objects.values_list("year", flat=True)), reverse=True)
    year = request.GET.get("annee")
    if year:
        if not year.isdigit() or int(year) not in years:
            raise Http404("Année non publiée.")
        header = [name for name, _ in opendata.DICTIONARY]
        return csv_response(f"cpom-agregats-{year}", header, opendata.rows(int(year)))
    return render(
        request,
        "steering/open_data.html",
        {
            "page_title": "Données ouvertes",
            "breadcrumb_data": crumbs("Données ouvertes"),
            "years": years,
            "dictionary": opendata.DICTIONARY,
            "confidentiality": opendata.CONFIDENTIALITY,
        },
    )


def _bilan(request, year: int, with_submitted: bool, regions: list[Region], context: dict):
    one_region = regions[0].code if len(regions) == 1 else None
    figures = tableau1(year, include_submitted=with_submitted, region_id=one_region)
    page_tables = [
        tables.contracts_table(year, regions),
        tables.themes_retained_table(year, regions, figures),
        tables.progress_table(year, regions, include_submitted=with_submitted),
    ]
    if len(regions) == 1:
        page_tables.append(tables.completeness_table(year, completeness_by_region(year, deadlines(year)), regions))
    stem = f"bilan-{year}" if len(regions) > 1 else f"bilan-{slugify(regions[0].name)}-{year}"
    if with_submitted:
        stem += "-avec-rapports-transmis"
    scope = f"France entière ({len(regions)} régions)" if len(regions) > 1 else f"région {regions[0].name}"
    context |= {
        "year": year,
        "with_submitted": with_submitted,
        "tables": page_tables,
        "period": f"année de suivi {year}, du 01/01/{year} au 31/12/{year}",
        "scope": scope,
        "commentary": tables.bilan_commentary(year, page_tables, include_submitted=with_submitted),
        "definitions": tables.BILAN_DEFINITIONS,
    }
    if request.GET.get("format") == "docx":
        intro = [
            f"Présenté au {context['audience']}.",
            f"Période : {context['period']}.",
            f"Périmètre : {scope}.",
            f"Chiffres arrêtés le {timezone.localdate():%d/%m/%Y} à partir des rapports annuels "
            + ("validés et transmis." if with_submitted else "validés."),
        ]
        sections = [("Synthèse", context["commentary"]), ("Définitions", context["definitions"])]
        return docx_response(stem, tables_document(context["heading"], intro, page_tables, sections=sections))
    if response := offer(request.GET, page_tables, stem):
        return response
    return render(request, "steering/bilan.html", context)


@require_perm(Perm.DASHBOARD_VIEW)
def national_bilan(request):
    if not request.user.scope.is_nation:
        raise PermissionDenied("Le bilan national est réservé à la cellule nationale et au CNPST.")
    year, with_submitted = _common(request)
    return _bilan(
        request,
        year,
        with_submitted,
        list(Region.objects.order_by("name")),
        {
            "page_title": f"Bilan national {year} des CPOM (CNPST)",
            "heading": f"Bilan national {year} des CPOM",
            "audience": "Comité national de prévention et de santé au travail (CNPST)",
            "breadcrumb_data": crumbs("Bilan national", (reverse("steering:national"), "National")),
        },
    )


@require_perm(Perm.DASHBOARD_VIEW)
def regional_bilan(request, code: str):
    region = _region(request, code)
    year, with_submitted = _common(request)
    return _bilan(
        request,
        year,
        with_submitted,
        [region],
        {
            "page_title": f"Bilan {year} des CPOM — {region.name} (CRPST)",
            "heading": f"Bilan {year} des CPOM — {region.name}",
            "audience": f"Comité régional de prévention et de santé au travail — {region.name}",
            "breadcrumb_data": crumbs(
                "Bilan régional", (reverse("steering:regional", args=[region.code]), region.name)
            ),
        },
    )
