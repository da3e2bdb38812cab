"""Plain, explainable flags on a report's figures, for the review desk, the submission's confirmation and the
bulk validation. Each flag names its rule; the thresholds are the constants below (explained on the page).

- CHANGE: the figure moved by more than CHANGE_RATIO (±50 %) from last year's AND by at least CHANGE_MIN_UNITS
  (10) units (from 0, any rise of 10 or more). Exactly +50 % or 9 units is not flagged.
- HIGH: the figure per 10 000 employees followed by the service is above the PEER_PERCENTILE (90th) percentile of
  the same figure per 10 000 employees among the region's services that year — only with at least MIN_PEERS (5)
  services reporting it (below that, no comparison and, for a service, no way to single out a peer).
- DONT_EQUALS_TOTAL: in one theme, every « dont » (a figure of which its parent is the total) equals its total,
  with at least one total above 0: the usual sign of a column copied over.
- EMPTIED: a figure present last year and empty now.

Everything is computed for any number of reports in four queries (their values, last year's, the region's
figures, the services' sizes), whatever their number.
"""

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass

from cpom.indicators.models import Indicator

from .models import Report, Value

CHANGE_RATIO = 0.5
CHANGE_MIN_UNITS = 10
PEER_PERCENTILE = 90
MIN_PEERS = 5
PER = 10_000

CHANGE, HIGH, DONT_EQUALS_TOTAL, EMPTIED = "variation", "eleve", "dont_egal_total", "vide"
RULES = {
    CHANGE: f"Écart de plus de {int(CHANGE_RATIO * 100)} % avec l'an dernier et d'au moins {CHANGE_MIN_UNITS} unités",
    HIGH: f"Au-dessus du {PEER_PERCENTILE}e centile de la région pour {PER:,} salariés suivis".replace(",", " "),
    DONT_EQUALS_TOTAL: "Chaque « dont » de la thématique est égal à son total",
    EMPTIED: "Renseigné l'an dernier, vide cette année",
}


@dataclass(frozen=True)
class Flag:
    key: str
    rule: str

    @property
    def message(self) -> str:
        return RULES[self.rule]


def changed(before: int | None, now: int | None) -> bool:
    if before is None or now is None:
        return False
    delta = abs(now - before)
    if delta < CHANGE_MIN_UNITS:
        return False
    return before == 0 or delta / before > CHANGE_RATIO


def percentile(values: list[float], pct: int) -> float:
    """Linear interpolation between closest ranks (as spreadsheets compute it)."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _key(value) -> str:
    return f"{value.indicator_id}|{value.theme_id or ''}"


@dataclass
class Comparison:
    """Per report: its figures, last year's, the region's median and 90th percentile per 10 000 employees."""

    values: dict[str, int | str]
    previous: dict[str, int | str]
    median_per: dict[str, float]
    high_per: dict[str, float]
    employees: int
    flags: list[Flag]

    def per(self, key: str) -> float | None:
        value = self.values.get(key)
        return value * PER / self.employees if isinstance(value, int) and self.employees else None


def _typed(value):
    if value.integer is not None:
        return value.integer
    if value.date is not None:
        return value.date.strftime("%d/%m/%Y")
    return value.text or None


def compare(reports: list[Report], *, parents: dict[str, str] | None = None) -> dict[int, Comparison]:
    """The comparison and flags of each report (reports carry `spsti` and `contract`; select_related them)."""
    if not reports:
        return {}
    if parents is None:
        parents = dict(Indicator.objects.filter(parent__isnull=False).values_list("code", "parent_id"))
    ids = [r.pk for r in reports]
    current: dict[int, dict[str, object]] = defaultdict(dict)
    for value in Value.objects.filter(report_id__in=ids):
        typed = _typed(value)
        if typed is not None:
            current[value.report_id][_key(value)] = typed
    previous_of: dict[tuple[int, int], dict[str, object]] = defaultdict(dict)
    years = {r.year for r in reports}
    for value in Value.objects.filter(
        report__spsti_id__in={r.spsti_id for r in reports}, report__year__in={y - 1 for y in years}
    ).select_related("report"):
        typed = _typed(value)
        if typed is not None:
            previous_of[(value.report.spsti_id, value.report.year + 1)][_key(value)] = typed
    # The region's figures per 10 000 employees followed, by (region, year, key).
    peers: dict[tuple[str, int, str], list[float]] = defaultdict(list)
    rows = Value.objects.filter(
        report__year__in=years,
        report__contract__region_id__in={r.contract.region_id for r in reports},
        integer__isnull=False,
        report__spsti__employees_followed__gt=0,
    ).values_list(
        "report__contract__region_id",
        "report__year",
        "indicator_id",
        "theme_id",
        "integer",
        "report__spsti__employees_followed",
    )
    for region, year, indicator, theme, integer, employees in rows:
        peers[(region, year, f"{indicator}|{theme or ''}")].append(integer * PER / employees)
    result = {}
    for report in reports:
        values = current.get(report.pk, {})
        previous = previous_of.get((report.spsti_id, report.year), {})
        employees = report.spsti.employees_followed or 0
        median_per, high_per, flags = {}, {}, []
        for key in sorted(set(values) | set(previous)):
            now, before = values.get(key), previous.get(key)
            group = peers.get((report.contract.region_id, report.year, key), [])
            if len(group) >= MIN_PEERS:
                median_per[key] = statistics.median(group)
                high_per[key] = percentile(group, PEER_PERCENTILE)
            if before is not None and now is None:
                flags.append(Flag(key, EMPTIED))
            if isinstance(now, int) and isinstance(before, int) and changed(before, now):
                flags.append(Flag(key, CHANGE))
            if isinstance(now, int) and employees and key in high_per and now * PER / employees > high_per[key]:
                flags.append(Flag(key, HIGH))
        flags += _copied_columns(values, parents)
        result[report.pk] = Comparison(values, previous, median_per, high_per, employees, flags)
    return result


def _copied_columns(values: dict[str, object], parents: dict[str, str]) -> list[Flag]:
    by_theme: dict[str, list[tuple[str, object, object]]] = defaultdict(list)
    for key, value in values.items():
        indicator, _, theme = key.partition("|")
        if indicator in parents and theme:
            by_theme[theme].append((key, value, values.get(f"{parents[indicator]}|{theme}")))
    flags = []
    for children in by_theme.values():
        pairs = [(k, v, p) for k, v, p in children if isinstance(v, int) and isinstance(p, int)]
        if pairs and all(v == p for _, v, p in pairs) and any(p > 0 for _, _, p in pairs):
            flags += [Flag(k, DONT_EQUALS_TOTAL) for k, _, _ in pairs]
    return flags
