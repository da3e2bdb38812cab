"""Every consolidated figure, computed in the database from the reports (DESIGN §7). Pages, exports, bilans and
the API call these functions; each definition is written next to the code that computes it.

Definitions for a year Y:
- A service belongs to the region of its headquarters department.
- *Approved services*: services with an approval valid on at least one day of Y.
- A contract is *in force during Y* if it took effect on or before 31/12/Y and its end (expiry or effective date of
  a termination) is not before 01/01/Y (`reports.expected.in_force_during`).
- *Counted reports*: validated reports of Y; `include_submitted=True` adds submitted ones. Drafts and returned
  reports are never counted.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from cpom.contracts.enums import AxisKind, PartyRole
from cpom.contracts.models import ContractParty
from cpom.indicators.enums import ThemeScope
from cpom.indicators.models import Theme
from cpom.organisations.models import Approval, Spsti
from cpom.reports.enums import ReportStatus
from cpom.reports.expected import in_force_during
from cpom.reports.models import Report, Value

NATIONAL = "national"


def approved_services(year: int):
    """Services with an approval valid on at least one day of Y."""
    valid = Approval.objects.filter(
        spsti_id=OuterRef("pk"), start__lte=dt.date(year, 12, 31), end__gte=dt.date(year, 1, 1)
    )
    return Spsti.objects.filter(Exists(valid))


def approved_party(year: int) -> Exists:
    """For a ContractParty query: its organisation is a service approved during Y. (A correlated EXISTS: an
    `IN (approved services)` subquery is evaluated far more slowly by SQLite.)"""
    return Exists(
        Approval.objects.filter(
            spsti_id=OuterRef("organisation_id"), start__lte=dt.date(year, 12, 31), end__gte=dt.date(year, 1, 1)
        )
    )


def counted_reports(year: int, *, include_submitted: bool = False):
    statuses = [ReportStatus.VALIDATED] + ([ReportStatus.SUBMITTED] if include_submitted else [])
    return Report.objects.filter(year=year, status__in=statuses)


@dataclass
class ThemeRow:
    """One line of IGAS Tableau 1 (report §161) for a region (or the nation) and a theme."""

    total_services: int = 0
    services_retaining_theme: int = 0
    establishments_supported: int = 0


@dataclass
class RegionFigures:
    themes: dict[str, ThemeRow] = field(default_factory=dict)
    services_with_pdp_cell: int = 0
    employees_supported_pdp: int = 0
    employees_in_coordinated_pathway: int = 0


def tableau1(year: int, *, include_submitted: bool = False, region_id: str | None = None) -> dict[str, RegionFigures]:
    """Per region code (and NATIONAL): per prevention theme, total services = approved services; services
    retaining the theme = approved services party to at least one contract in force during Y with an action on
    that theme; establishments supported = sum of ETAB_ACCOMPAGNES (that theme) over counted reports. Per region:
    services with a PDP cell = distinct services with a counted report whose PDP_CELLULE_DATE ≤ 31/12/Y;
    employees supported by PDP cells = sum of PDP_SALARIES_ACCOMPAGNES; of which in a coordinated pathway = sum of
    PDP_SALARIES_PARCOURS. National totals are sums of the regions: a service belongs to one region only, so the
    distinct service counts add up too. With `region_id`, only that region is computed (and NATIONAL is its own)."""
    themes = list(Theme.objects.filter(scope=ThemeScope.PREVENTION).order_by("code").values_list("code", flat=True))
    approved = approved_services(year)
    retaining = ContractParty.objects.filter(
        approved_party(year),
        in_force_during(year, "contract__"),
        role=PartyRole.SPSTI,
        contract__axes__kind=AxisKind.PREVENTION,
        contract__axes__actions__theme_id__in=themes,
    )
    values = Value.objects.filter(report__in=counted_reports(year, include_submitted=include_submitted))
    if region_id:
        approved = approved.filter(region_id=region_id)
        retaining = retaining.filter(organisation__region_id=region_id)
        values = values.filter(report__spsti__region_id=region_id)
    figures: dict[str, RegionFigures] = defaultdict(RegionFigures)

    for region, count in approved.values("region_id").annotate(n=Count("pk")).values_list("region_id", "n"):
        for theme in themes:
            figures[region].themes.setdefault(theme, ThemeRow()).total_services = count

    by_theme = "contract__axes__actions__theme_id"
    for row in (
        retaining.order_by()
        .values(by_theme, "organisation__region_id")
        .annotate(n=Count("organisation_id", distinct=True))
    ):
        region = figures[row["organisation__region_id"]]
        region.themes.setdefault(row[by_theme], ThemeRow()).services_retaining_theme = row["n"]

    # Establishments per theme and the PDP figures, per region, in one pass over the year's values.
    per_theme = {
        f"etab_{theme}": Sum("integer", filter=Q(indicator_id="ETAB_ACCOMPAGNES", theme_id=theme)) for theme in themes
    }
    rows = (
        values.filter(
            Q(indicator_id="ETAB_ACCOMPAGNES", theme_id__in=themes)
            | Q(indicator_id__in=["PDP_CELLULE_DATE", "PDP_SALARIES_ACCOMPAGNES", "PDP_SALARIES_PARCOURS"])
        )
        .values("report__spsti__region_id")
        .annotate(
            **per_theme,
            cells=Count(
                "report__spsti",
                distinct=True,
                filter=Q(indicator_id="PDP_CELLULE_DATE", date__lte=dt.date(year, 12, 31)),
            ),
            supported=Sum("integer", filter=Q(indicator_id="PDP_SALARIES_ACCOMPAGNES")),
            pathway=Sum("integer", filter=Q(indicator_id="PDP_SALARIES_PARCOURS")),
        )
    )
    for row in rows:
        region = figures[row["report__spsti__region_id"]]
        for theme in themes:
            region.themes.setdefault(theme, ThemeRow()).establishments_supported = row[f"etab_{theme}"] or 0
        region.services_with_pdp_cell = row["cells"]
        region.employees_supported_pdp = row["supported"] or 0
        region.employees_in_coordinated_pathway = row["pathway"] or 0

    nation = RegionFigures()
    for theme in themes:
        rows = [f.themes.get(theme, ThemeRow()) for f in figures.values()]
        nation.themes[theme] = ThemeRow(
            total_services=sum(r.total_services for r in rows),
            services_retaining_theme=sum(r.services_retaining_theme for r in rows),
            establishments_supported=sum(r.establishments_supported for r in rows),
        )
    nation.services_with_pdp_cell = sum(f.services_with_pdp_cell for f in figures.values())
    nation.employees_supported_pdp = sum(f.employees_supported_pdp for f in figures.values())
    nation.employees_in_coordinated_pathway = sum(f.employees_in_coordinated_pathway for f in figures.values())
    result = dict(figures)
    result[NATIONAL] = nation
    return result


@dataclass(frozen=True)
class Completeness:
    owed: int
    submitted_or_validated: int
    on_time: int

    @property
    def completeness(self) -> float | None:
        return self.submitted_or_validated / self.owed if self.owed else None

    @property
    def timeliness(self) -> float | None:
        return self.on_time / self.owed if self.owed else None


def completeness(year: int, *, deadline: dt.date, region_id: str | None = None) -> Completeness:
    """Completeness = reports submitted or validated / reports owed; timeliness = reports first submitted on or
    before the deadline / reports owed (owed reports are those `ensure_reports` created for the year)."""
    reports = Report.objects.filter(year=year)
    if region_id:
        reports = reports.filter(contract__region_id=region_id)
    counts = reports.aggregate(
        owed=Count("pk"),
        done=Count("pk", filter=Q(status__in=[ReportStatus.SUBMITTED, ReportStatus.VALIDATED])),
        on_time=Count("pk", filter=Q(first_submitted_at__date__lte=deadline)),
    )
    return Completeness(owed=counts["owed"], submitted_or_validated=counts["done"], on_time=counts["on_time"])


def coverage(year: int) -> dict[str, dict[int, tuple[int, int]]]:
    """Per region and generation: (approved services party to a contract of that generation in force during Y,
    approved services)."""
    approved = approved_services(year)
    totals = dict(approved.values("region_id").annotate(n=Count("pk")).values_list("region_id", "n"))
    rows = (
        ContractParty.objects.filter(approved_party(year), in_force_during(year, "contract__"), role=PartyRole.SPSTI)
        .order_by()
        .values("organisation__region_id", "contract__generation")
        .annotate(services=Count("organisation_id", distinct=True))
    )
    result: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
    for row in rows:
        region = row["organisation__region_id"]
        result[region][row["contract__generation"]] = (row["services"], totals.get(region, 0))
    return dict(result)


MIN_PEERS = 5
BENCHMARK_INDICATORS = ["ETAB_FORMES", "ETAB_ACCOMPAGNES", "ETAB_COMMUNICATION", "PDP_SALARIES_ACCOMPAGNES"]


@dataclass(frozen=True)
class Position:
    """A service's figure per 10 000 employees followed against its region's services (anonymous)."""

    indicator: str
    theme: str | None
    value: int
    per_10000: float
    peers: int  # services of the region with a counted report giving this figure, the service included
    quartiles: tuple[float, float, float] | None  # None when fewer than MIN_PEERS services: not shown
    quartile: int | None  # 1 (lowest) to 4 (highest)


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)

    def at(fraction: float) -> float:
        position = (len(ordered) - 1) * fraction
        low, high = int(position), min(int(position) + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return (round(at(0.25), 1), round(at(0.5), 1), round(at(0.75), 1))


def positions(year: int, spsti: Spsti, *, include_submitted: bool = False) -> list[Position]:
    """Benchmarks are shown only where the region has at least MIN_PEERS services with a counted report giving
    the figure; peers are never named (DESIGN §7)."""
    rows = Value.objects.filter(
        report__in=counted_reports(year, include_submitted=include_submitted),
        report__spsti__region_id=spsti.region_id,
        indicator_id__in=BENCHMARK_INDICATORS,
        integer__isnull=False,
    ).values_list("report__spsti_id", "report__spsti__employees_followed", "indicator_id", "theme_id", "integer")
    by_figure: dict[tuple[str, str | None], dict[int, float]] = defaultdict(dict)
    mine: dict[tuple[str, str | None], int] = {}
    for service, employees, indicator, theme, value in rows:
        if not employees:
            continue
        key = (indicator, theme)
        by_figure[key][service] = by_figure[key].get(service, 0) + value * 10000 / employees
        if service == spsti.pk:
            mine[key] = mine.get(key, 0) + value
    result = []
    for key in sorted(mine, key=lambda k: (BENCHMARK_INDICATORS.index(k[0]), k[1] or "")):
        peers = by_figure[key]
        own = peers[spsti.pk]
        quartiles = _quartiles(list(peers.values())) if len(peers) >= MIN_PEERS else None
        quartile = None
        if quartiles:
            quartile = 1 + sum(own > bound for bound in quartiles)
        result.append(
            Position(
                indicator=key[0],
                theme=key[1],
                value=mine[key],
                per_10000=round(own, 1),
                peers=len(peers),
                quartiles=quartiles,
                quartile=quartile,
            )
        )
    return result


@dataclass(frozen=True)
class MatrixRow:
    service: str
    themes: dict[str, int | None]  # establishments supported per retained theme (None: retained, not yet reported)


def service_theme_matrix(year: int, region_id: str, *, include_submitted: bool = False) -> list[MatrixRow]:
    """Services of the region under a contract in force during Y × the prevention themes they retain, with the
    establishments supported from their counted report."""
    themes = list(Theme.objects.filter(scope=ThemeScope.PREVENTION).values_list("code", flat=True))
    retained = (
        ContractParty.objects.filter(
            in_force_during(year, "contract__"),
            role=PartyRole.SPSTI,
            organisation__region_id=region_id,
            contract__axes__kind=AxisKind.PREVENTION,
            contract__axes__actions__theme_id__in=themes,
        )
        .values_list("organisation_id", "organisation__name", "contract__axes__actions__theme_id")
        .order_by()
        .distinct()
    )
    supported = {
        (service, theme): total
        for service, theme, total in Value.objects.filter(
            report__in=counted_reports(year, include_submitted=include_submitted),
            report__spsti__region_id=region_id,
            indicator_id="ETAB_ACCOMPAGNES",
        )
        .values("report__spsti_id", "theme_id")
        .annotate(total=Sum("integer"))
        .values_list("report__spsti_id", "theme_id", "total")
    }
    rows: dict[int, tuple[str, dict]] = {}
    for service, name, theme in retained:
        rows.setdefault(service, (name, {}))[1][theme] = supported.get((service, theme))
    return [MatrixRow(service=name, themes=cells) for name, cells in sorted(rows.values())]


def action_progress(year: int, region_id: str, *, include_submitted: bool = False) -> dict[str, int]:
    """Counted reports' action progress in the region: how many actions are not started, in progress, done,
    abandoned."""
    from cpom.reports.models import ActionProgress

    rows = (
        ActionProgress.objects.filter(
            report__in=counted_reports(year, include_submitted=include_submitted),
            report__spsti__region_id=region_id,
        )
        .exclude(status="")
        .values("status")
        .annotate(n=Count("pk"))
    )
    return {row["status"]: row["n"] for row in rows}


def contracts_signed(year: int) -> dict[str, dict[int, int]]:
    """Per region and generation: contracts signed on or before 31/12/Y (in force, expired or terminated since)."""
    from cpom.contracts.enums import SIGNED_STATUSES
    from cpom.contracts.models import Contract

    rows = (
        Contract.objects.filter(status__in=SIGNED_STATUSES, start__lte=dt.date(year, 12, 31))
        .values("region_id", "generation")
        .annotate(n=Count("pk"))
    )
    result: dict[str, dict[int, int]] = defaultdict(dict)
    for row in rows:
        result[row["region_id"]][row["generation"]] = row["n"]
    return dict(result)


def action_progress_by_region(year: int, *, include_submitted: bool = False) -> dict[str, dict[str, int]]:
    """`action_progress` for every region in one query."""
    from cpom.reports.models import ActionProgress

    rows = (
        ActionProgress.objects.filter(report__in=counted_reports(year, include_submitted=include_submitted))
        .exclude(status="")
        .values("report__spsti__region_id", "status")
        .annotate(n=Count("pk"))
    )
    result: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        result[row["report__spsti__region_id"]][row["status"]] = row["n"]
    return dict(result)


def services_under_contract(year: int) -> dict[str, tuple[int, int]]:
    """Per region code (and NATIONAL): (approved services party to at least one contract in force during Y, of
    any generation, counted once; approved services). The share colours the national map."""
    approved = approved_services(year)
    totals = dict(approved.values("region_id").annotate(n=Count("pk")).values_list("region_id", "n"))
    under = dict(
        approved.filter(
            Exists(
                ContractParty.objects.filter(
                    in_force_during(year, "contract__"), organisation_id=OuterRef("pk"), role=PartyRole.SPSTI
                )
            )
        )
        .values("region_id")
        .annotate(n=Count("pk"))
        .values_list("region_id", "n")
    )
    result = {region: (under.get(region, 0), total) for region, total in totals.items()}
    result[NATIONAL] = (sum(under.values()), sum(totals.values()))
    return result


def completeness_by_region(year: int, deadline_of) -> dict[str, Completeness]:
    """`completeness` for every region (and NATIONAL) in one query; `deadline_of(region_id)` gives each region's
    deadline (a regional campaign may set its own)."""
    regions = list(Report.objects.filter(year=year).values_list("contract__region_id", flat=True).order_by().distinct())
    # One condition per distinct deadline (most regions share the default one), on a timestamp bound: a
    # `__date` lookup converts every row's timestamp (a Python function per row on SQLite).
    by_deadline: dict[dt.date, list[str]] = defaultdict(list)
    for region in regions:
        by_deadline[deadline_of(region)].append(region)
    on_time = Q(pk__in=[])
    for deadline, codes in by_deadline.items():
        bound = timezone.make_aware(dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time.min))
        on_time |= Q(contract__region_id__in=codes, first_submitted_at__lt=bound)
    rows = (
        Report.objects.filter(year=year)
        .values("contract__region_id")
        .annotate(
            owed=Count("pk"),
            done=Count("pk", filter=Q(status__in=[ReportStatus.SUBMITTED, ReportStatus.VALIDATED])),
            on_time=Count("pk", filter=on_time),
        )
    )
    result = {
        row["contract__region_id"]: Completeness(
            owed=row["owed"], submitted_or_validated=row["done"], on_time=row["on_time"]
        )
        for row in rows
    }
    result[NATIONAL] = Completeness(
        owed=sum(c.owed for c in result.values()),
        submitted_or_validated=sum(c.submitted_or_validated for c in result.values()),
        on_time=sum(c.on_time for c in result.values()),
    )
    return result


def indicator_totals(
    years: list[int], *, region_id: str | None = None, include_submitted: bool = False
) -> dict[tuple[str, str], dict[int, int]]:
    """Per (indicator, theme or ""): the sum of the integer values of the counted reports of each year, in the
    region or the nation. Only figures that add up (counts of establishments, employees, actions) are integers;
    dates, texts and choices are not summed."""
    statuses = [ReportStatus.VALIDATED] + ([ReportStatus.SUBMITTED] if include_submitted else [])
    values = Value.objects.filter(report__year__in=years, report__status__in=statuses, integer__isnull=False)
    if region_id:
        values = values.filter(report__spsti__region_id=region_id)
    result: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    for row in values.values("indicator_id", "theme_id", "report__year").annotate(total=Sum("integer")):
        result[(row["indicator_id"], row["theme_id"] or "")][row["report__year"]] = row["total"]
    return dict(result)
