"""National and regional dashboards: consolidated figures of the user's scope, live from the reports."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from cpom.accounts.permissions import Perm
from cpom.core.decorators import require_perm
from cpom.core.exports import csv_response, table_response
from cpom.core.pages import crumbs, year_param
from cpom.indicators.enums import ThemeScope
from cpom.indicators.models import Indicator, Theme
from cpom.organisations.models import Spsti
from cpom.organisations.selectors import regions_in_scope
from cpom.reports.enums import ProgressStatus
from cpom.reports.models import Report, ReportingCampaign
from cpom.reports.selectors import deadlines
from cpom.reports.services import stored_text
from cpom.territory.models import Region

from . import opendata
from .consolidation import (
    BENCHMARK_INDICATORS,
    MIN_PEERS,
    NATIONAL,
    ThemeRow,
    action_progress,
    action_progress_by_region,
    completeness,
    contracts_signed,
    coverage,
    positions,
    service_theme_matrix,
    tableau1,
)
from .watch import watch


def _common(request) -> tuple[int, bool]:
    return year_param(request), request.GET.get("transmis") == "1"


@require_perm(Perm.DASHBOARD_VIEW)
def national(request):
    if not request.user.scope.is_nation:
        raise PermissionDenied("Le tableau de bord national est réservé à la cellule nationale.")
    year, with_submitted = _common(request)
    themes = list(Theme.objects.filter(scope=ThemeScope.PREVENTION).order_by("code"))
    current = tableau1(year, include_submitted=with_submitted)
    previous = tableau1(year - 1, include_submitted=with_submitted)
    regions = list(Region.objects.order_by("name"))
    rows = []
    for region in [*regions, None]:
        key = region.code if region else NATIONAL
        figures, before = current.get(key), previous.get(key)
        rows.append(
            {
                "region": region,
                "themes": [
                    (
                        figures.themes.get(theme.code, ThemeRow()) if figures else ThemeRow(),
                        before.themes.get(theme.code, ThemeRow()) if before else ThemeRow(),
                    )
                    for theme in themes
                ],
                "figures": figures,
                "before": before,
            }
        )
    if request.GET.get("format") in ("csv", "xlsx"):
        header = ["Région", "Services agréés"]
        for theme in themes:
            header += [f"{theme.label} — services", f"{theme.label} — établissements accompagnés"]
        header += ["Services avec cellule PDP", "Salariés accompagnés (PDP)", "dont parcours coordonné"]
        lines = []
        for row in rows:
            figures = row["figures"]
            line = [row["region"].name if row["region"] else "Total national", row["themes"][0][0].total_services]
            for now, _before in row["themes"]:
                line += [now.services_retaining_theme, now.establishments_supported]
            line += [
                figures.services_with_pdp_cell if figures else 0,
                figures.employees_supported_pdp if figures else 0,
                figures.employees_in_coordinated_pathway if figures else 0,
            ]
            lines.append(line)
        return table_response(request.GET["format"], f"tableau1-{year}", header, lines)
    return render(
        request,
        "steering/national.html",
        {
            "page_title": f"Tableau de bord national {year}",
            "breadcrumb_data": crumbs("Tableau de bord national"),
            "year": year,
            "with_submitted": with_submitted,
            "themes": themes,
            "rows": rows,
            "completeness": completeness(year, deadline=deadlines(year)(None)),
        },
    )


@require_perm(Perm.DASHBOARD_VIEW)
def regional(request, code: str):
    region = regions_in_scope(request.user).filter(code=code).first()
    if region is None:
        raise Http404("Région hors de votre périmètre.")
    year, with_submitted = _common(request)
    themes = list(Theme.objects.filter(scope=ThemeScope.PREVENTION).order_by("code"))
    current = tableau1(year, include_submitted=with_submitted).get(region.code)
    previous = tableau1(year - 1, include_submitted=with_submitted).get(region.code)
    links = [(reverse("steering:national"), "National")] if request.user.scope.is_nation else []
    progress = action_progress(year, region.code, include_submitted=with_submitted)
    theme_rows = [
        (
            theme,
            current.themes.get(theme.code, ThemeRow()) if current else ThemeRow(),
            previous.themes.get(theme.code, ThemeRow()) if previous else ThemeRow(),
        )
        for theme in themes
    ]
    return render(
        request,
        "steering/regional.html",
        {
            "page_title": f"Tableau de bord {region.name} {year}",
            "breadcrumb_data": crumbs(region.name, *links),
            "region": region,
            "year": year,
            "with_submitted": with_submitted,
            "theme_rows": theme_rows,
            "current": current,
            "previous": previous,
            "completeness": completeness(year, deadline=deadlines(year)(region.code), region_id=region.code),
            "coverage": sorted(coverage(year).get(region.code, {}).items()),
            "matrix_themes": themes,
            "matrix": [
                (row.service, [(theme.code in row.themes, row.themes.get(theme.code)) for theme in themes])
                for row in service_theme_matrix(year, region.code, include_submitted=with_submitted)
            ],
            "progress": [(label, progress.get(value, 0)) for value, label in ProgressStatus.choices],
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
    figures: dict[tuple[str, str], dict[int, str]] = {}
    labels: dict[tuple[str, str], str] = {}
    events = []
    for report in reports:
        counted = report.status == "valide" or (with_submitted and report.status == "transmis")
        if report.year == year:
            events += [e for e in report.events.all() if e.comment or e.kind == "validation"]
        if not counted:
            continue
        for value in report.values.all():
            text = stored_text(value)
            if text == "":
                continue
            key = (value.indicator_id, value.theme_id or "")
            labels[key] = value.indicator.label + (f" — {value.theme.label}" if value.theme else "")
            figures.setdefault(key, {})[report.year] = text
    rows = [
        {"label": labels[key], "now": values.get(year, "—"), "before": values.get(year - 1, "—")}
        for key, values in sorted(figures.items())
    ]
    theme_labels = dict(Theme.objects.values_list("code", "label"))
    indicator_labels = dict(Indicator.objects.filter(code__in=BENCHMARK_INDICATORS).values_list("code", "label"))
    return render(
        request,
        "steering/restitution.html",
        {
            "page_title": f"Restitution {year} — {spsti.name}",
            "breadcrumb_data": crumbs(f"Restitution {year}"),
            "spsti": spsti,
            "year": year,
            "with_submitted": with_submitted,
            "rows": rows,
            "positions": [
                {
                    "label": indicator_labels.get(p.indicator, p.indicator)
                    + (f" — {theme_labels.get(p.theme, p.theme)}" if p.theme else ""),
                    "position": p,
                }
                for p in positions(year, spsti, include_submitted=with_submitted)
            ],
            "min_peers": MIN_PEERS,
            "events": sorted(events, key=lambda e: e.at),
        },
    )


@require_perm(Perm.CONTRACT_EDIT)
def compliance_watch(request):
    return render(
        request,
        "steering/watch.html",
        {
            "page_title": "Points de vigilance",
            "breadcrumb_data": crumbs("Points de vigilance"),
            "watch": watch(request.user, timezone.localdate()),
            "year": timezone.localdate().year - 1,
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
        },
    )


def _bilan_rows(year: int, with_submitted: bool, regions):
    figures = tableau1(year, include_submitted=with_submitted)
    signed = contracts_signed(year)
    progress = action_progress_by_region(year, include_submitted=with_submitted)
    themes = list(Theme.objects.filter(scope=ThemeScope.PREVENTION).order_by("code"))
    rows = []
    for region in regions:
        region_figures = figures.get(region.code)
        rows.append(
            {
                "region": region,
                "approved": region_figures.themes[themes[0].code].total_services if region_figures else 0,
                "signed": sorted(signed.get(region.code, {}).items()),
                "themes": [
                    (theme, region_figures.themes.get(theme.code, ThemeRow()) if region_figures else ThemeRow())
                    for theme in themes
                ],
                "figures": region_figures,
                "progress": [
                    (label, progress.get(region.code, {})[value])
                    for value, label in ProgressStatus.choices
                    if value in progress.get(region.code, {})
                ],
            }
        )
    return rows, figures


@require_perm(Perm.DASHBOARD_VIEW)
def national_bilan(request):
    if not request.user.scope.is_nation:
        raise PermissionDenied("Le bilan national est réservé à la cellule nationale et au CNPST.")
    year, with_submitted = _common(request)
    rows, figures = _bilan_rows(year, with_submitted, Region.objects.order_by("name"))
    return render(
        request,
        "steering/bilan.html",
        {
            "page_title": f"Bilan national {year} des CPOM (CNPST)",
            "heading": f"Bilan national {year} des CPOM",
            "audience": "Comité national de prévention et de santé au travail (CNPST)",
            "breadcrumb_data": crumbs("Bilan national", (reverse("steering:national"), "National")),
            "year": year,
            "with_submitted": with_submitted,
            "rows": rows,
            "nation": figures.get(NATIONAL),
        },
    )


@require_perm(Perm.DASHBOARD_VIEW)
def regional_bilan(request, code: str):
    region = regions_in_scope(request.user).filter(code=code).first()
    if region is None:
        raise Http404("Région hors de votre périmètre.")
    year, with_submitted = _common(request)
    rows, _ = _bilan_rows(year, with_submitted, [region])
    return render(
        request,
        "steering/bilan.html",
        {
            "page_title": f"Bilan {year} des CPOM — {region.name} (CRPST)",
            "heading": f"Bilan {year} des CPOM — {region.name}",
            "audience": f"Comité régional de prévention et de santé au travail — {region.name}",
            "breadcrumb_data": crumbs(
                "Bilan régional", (reverse("steering:regional", args=[region.code]), region.name)
            ),
            "year": year,
            "with_submitted": with_submitted,
            "rows": rows,
            "completeness": completeness(year, deadline=deadlines(year)(region.code), region_id=region.code),
        },
    )
