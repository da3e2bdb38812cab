"""Values in the long CSV format of DESIGN §6 — one value per row: `annee;siret;theme;indicateur;valeur`
(UTF-8, `;` or `,`). Import is all-or-nothing with errors by line and column; export uses the same format, for
any scope the user may see (so an export can be re-imported).

A service owes one report per contract in force during the year; in the rare year where it had two (a contract
ended and the next one started), the optional column `contrat` (the contract's reference) says which report a
row belongs to; without it, the row goes to the report of the contract that started last.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from cpom.accounts.permissions import Perm
from cpom.core.csvfiles import CsvFormatError, LineError, read_csv
from cpom.core.errors import DomainError
from cpom.indicators.models import Indicator, Theme

from .enums import Channel, ReportStatus
from .layout import report_layout
from .models import Report, Value
from .services import check_values, reports_visible_to, stored_text, write_values

COLUMNS = ["annee", "siret", "theme", "indicateur", "valeur"]
OPTIONAL = ["contrat"]
MAX_ROWS = 500_000


@dataclass(frozen=True)
class ImportResult:
    rows: int
    reports: int
    changed: int


def _line_errors(rows, by) -> tuple[dict[int, list[tuple[int, str, str, str]]], list[LineError]]:
    """Group rows by report; errors for what can be told without the report's layout."""
    errors: list[LineError] = []
    indicators = set(Indicator.objects.values_list("code", flat=True))
    themes = set(Theme.objects.values_list("code", flat=True))
    reports = reports_visible_to(by) if by is not None else Report.objects.all()
    years = set()
    for _line, row in rows:
        if row["annee"].isdigit():
            years.add(int(row["annee"]))
    index: dict[tuple[int, str], list[Report]] = defaultdict(list)
    for report in reports.filter(year__in=years).select_related("spsti", "contract").order_by("-contract__start"):
        index[(report.year, report.spsti.siret)].append(report)
    known_sirets = set(
        Report.objects.filter(year__in=years).values_list("spsti__siret", flat=True)
    )  # to tell "unknown" from "not yours"
    by_report: dict[int, list[tuple[int, str, str, str]]] = defaultdict(list)
    seen: dict[tuple, int] = {}
    for line, row in rows:
        year, siret = row["annee"], "".join(row["siret"].split())
        theme, indicator, value = row["theme"].upper(), row["indicateur"].upper(), row["valeur"]
        if not year.isdigit():
            errors.append(LineError(line, "annee", f"« {year} » n'est pas une année."))
            continue
        if indicator not in indicators:
            errors.append(LineError(line, "indicateur", f"indicateur « {indicator} » inconnu du catalogue."))
            continue
        if theme and theme not in themes:
            errors.append(LineError(line, "theme", f"thématique « {theme} » inconnue."))
            continue
        matches = index.get((int(year), siret), [])
        if not matches:
            message = (
                f"aucun rapport {year} de ce service dans votre périmètre."
                if siret in known_sirets
                else f"aucun service sous contrat avec le SIRET « {siret} » ne doit de rapport pour {year}."
            )
            errors.append(LineError(line, "siret", message))
            continue
        reference = row.get("contrat", "").strip()
        if reference:
            matches = [r for r in matches if r.contract.reference == reference]
            if not matches:
                message = f"ce service n'a pas de rapport {year} pour le contrat « {reference} »."
                errors.append(LineError(line, "contrat", message))
                continue
        report = matches[0]
        key = (report.pk, theme, indicator)
        if key in seen:
            errors.append(LineError(line, None, f"même valeur déjà donnée ligne {seen[key]} (ligne en double)."))
            continue
        seen[key] = line
        by_report[report.pk].append((line, theme, indicator, value))
    return by_report, errors


@transaction.atomic
def import_values(content: bytes, *, by=None, channel: str = Channel.CSV) -> ImportResult:
    """`by=None` is the command line (every report); a user imports within the scope of its role."""
    if by is not None and not (by.can(Perm.REPORT_FILL) or by.can(Perm.REPORT_REVIEW)):
        raise DomainError("Votre rôle ne permet pas d'importer des valeurs.")
    rows = read_csv(content, required=COLUMNS, optional=OPTIONAL)
    if len(rows) > MAX_ROWS:
        raise CsvFormatError([LineError(1, None, f"le fichier dépasse {MAX_ROWS:,} lignes ; découpez-le.")])
    by_report, errors = _line_errors(rows, by)
    reports = Report.objects.select_for_update().select_related("contract").in_bulk(list(by_report))
    checked = []
    for report_id, items in by_report.items():
        report = reports[report_id]
        if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
            line = items[0][0]
            message = (
                f"le rapport {report.year} de ce service est « {report.get_status_display()} » : il ne se modifie plus."
            )
            errors.append(LineError(line, "siret", message))
            continue
        layout = report_layout(report.contract)
        raw = {f"{indicator}|{theme}": value for _, theme, indicator, value in items}
        lines = {f"{indicator}|{theme}": line for line, theme, indicator, _ in items}
        typed, problems = check_values(report, raw, layout)
        for problem in problems:
            column = "theme" if "ne fait pas partie" in problem.message else "valeur"
            errors.append(LineError(lines.get(problem.key, 1), column, problem.message))
        checked.append((report, typed, layout))
    if errors:
        raise CsvFormatError(sorted(errors, key=lambda e: e.line))
    changed = 0
    for report, typed, layout in checked:
        changed += write_values(report, typed, layout, by=by, channel=channel)
        report.version += 1
        report.save(update_fields=["version", "updated_at"])
    return ImportResult(rows=len(rows), reports=len(checked), changed=changed)


def export_values(user, *, year: int, region: str = "") -> str:
    """The values of `year` the user may see, in the same long format (`;`, UTF-8)."""
    reports = reports_visible_to(user).filter(year=year)
    if region:
        reports = reports.filter(contract__region_id=region)
    values = (
        Value.objects.filter(report__in=reports)
        .select_related("report__spsti", "report__contract")
        .order_by("report__spsti__siret", "theme_id", "indicator_id")
    )
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS + OPTIONAL)
    for value in values.iterator(chunk_size=2000):
        text = stored_text(value)
        if text == "":
            continue
        if text[:1] in "=+-@":
            text = "'" + text  # neutralise spreadsheet formulas
        row = [year, value.report.spsti.siret, value.theme_id or "", value.indicator_id, text]
        writer.writerow(row + [value.report.contract.reference])
    return out.getvalue()
