"""Values in the long CSV format of DESIGN §6 — one value per row: `annee;siret;theme;indicateur;valeur`
(UTF-8, `;` or `,`). Import is all-or-nothing with errors by line and column; export uses the same format, for
any scope the user may see (so an export can be re-imported).

A service owes one report per contract in force during the year; in the rare year where it had two (a contract
ended and the next one started), the optional column `contrat` (the contract's reference) says which report a
row belongs to; without it, the row goes to the report of the contract that started last.
"""

import csv
import io
from array import array
from dataclasses import dataclass
from typing import BinaryIO

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cpom.core.csvfiles import CsvFormatError, LineError, LineErrors, read_csv
from cpom.core.errors import DomainError
from cpom.core.permissions import Perm
from cpom.indicators.models import Indicator, Theme

from . import rules
from .enums import Channel, ReportStatus
from .layout import Cell, Layout, report_layout
from .models import Report, Value
from .services import ONLY_THE_SERVICE, check_values, reports_fillable_by, reports_visible_to, stored_text, write_many

COLUMNS = ["annee", "siret", "theme", "indicateur", "valeur"]
OPTIONAL = ["contrat", "libelle"]  # "libelle" (the template's French label of the row) is ignored on import
MAX_ROWS = 500_000
BATCH = 1000  # rows read, checked and written at a time
CHECK_BATCH = 50  # reports whose values are loaded at once for the final check


@dataclass(frozen=True)
class ImportResult:
    rows: int
    reports: int
    changed: int


@transaction.atomic
def import_values(content: bytes | BinaryIO, *, by=None, channel: str = Channel.CSV) -> ImportResult:
    """`by=None` is the command line (every report); a user imports within the scope of its role.

    `content` is bytes or a binary file (an upload, an open file), read once as a stream. All or nothing in one
    transaction: rows are checked and written `BATCH` at a time; once the file is read, each report's rules are
    checked on the values it now holds; on any error everything is rolled back and CsvFormatError names the
    lines. Memory holds one batch and a few bytes per report and per cell, whatever the size of the file.
    """
    if by is not None and not by.can(Perm.REPORT_FILL):
        raise DomainError(ONLY_THE_SERVICE)
    rows = read_csv(content, required=COLUMNS, optional=OPTIONAL)
    run = _Import(by, channel)
    count, batch = 0, []
    for item in rows:
        count += 1
        if count > MAX_ROWS:
            raise CsvFormatError([LineError(1, None, f"le fichier dépasse {MAX_ROWS:,} lignes ; découpez-le.")])
        batch.append(item)
        if len(batch) == BATCH:
            run.add(batch)
            batch = []
    if batch:
        run.add(batch)
    return run.finish(count)


@dataclass(frozen=True)
class _NoReport:
    """No report for the row's (year, SIRET): whether the service is unknown or out of scope is told once the
    file has been read (the SIRET has a report in one of the file's years), for the errors shown only."""

    line: int
    year: str
    siret: str


class _ReportState:
    """What is kept of a report between batches: its cells (key numbers, in the layout's order) and, per key
    number, the line that gave it (0: none yet; negative: refused, for its value or its cell)."""

    __slots__ = ("cells", "lines", "refused")

    def __init__(self):
        self.cells: array | None = None
        self.lines = array("i")
        self.refused = False

    def line(self, number: int) -> int:
        return self.lines[number] if number < len(self.lines) else 0

    def set_line(self, number: int, line: int) -> None:
        if number >= len(self.lines):
            self.lines.extend(array("i", [0]) * (number + 1 - len(self.lines)))
        self.lines[number] = line


class _Import:
    def __init__(self, by, channel: str):
        self.by, self.channel = by, channel
        self.errors = LineErrors()
        self.changed = 0
        self.indicators = {i.code: i for i in Indicator.objects.select_related("parent")}
        self.themes = {t.code: t for t in Theme.objects.all()}
        self.scope = reports_fillable_by(by)  # the same rule as the form, the API and the Excel upload
        self.report_years = set(Report.objects.order_by().values_list("year", flat=True).distinct())
        self.years: set[int] = set()  # years of the file that have reports, to tell "unknown" from "not yours"
        self.by_year: dict[int, dict[str, list[tuple[int, str]]]] = {}  # year → SIRET → (report, contract ref.)
        self.numbers: dict[str, int] = {}  # "INDICATOR|THEME" → key number, for the catalogue's keys only
        self.cells: list[Cell] = []  # key number → cell (shared by every report)
        self.reports: dict[int, _ReportState] = {}
        self.contract_cells: dict[int, array] = {}

    def number(self, key: str) -> int:
        number = self.numbers.get(key)
        if number is None:
            indicator, _, theme = key.partition("|")
            number = self.numbers[key] = len(self.cells)
            self.cells.append(Cell(self.indicators[indicator], self.themes[theme] if theme else None))
        return number

    def layout(self, state: _ReportState) -> Layout:
        """The report's layout rebuilt from its key numbers: the same cells in the same order, no query."""
        return Layout(blocks=[("", [self.cells[number] for number in state.cells])])

    def matches(self, year: int, siret: str) -> list[tuple[int, str]]:
        index = self.by_year.get(year)
        if index is None:
            index = self.by_year[year] = {}
            if year in self.report_years:
                reports = self.scope.filter(year=year).order_by("-contract__start")
                for pk, report_siret, reference in reports.values_list("pk", "spsti__siret", "contract__reference"):
                    index.setdefault(report_siret, []).append((pk, reference))
        return index.get(siret, [])

    def add(self, batch: list[tuple[int, dict[str, str]]]) -> None:
        """Check a batch of rows, then write what is right in it (on any error the transaction is rolled back at
        the end; writing on meanwhile lets the rules of every report be checked and reported)."""
        errors = self.errors
        by_report: dict[int, list[tuple[int, str, str]]] = {}
        for line, row in batch:
            year, siret = row["annee"], "".join(row["siret"].split())
            theme, indicator, value = row["theme"].upper(), row["indicateur"].upper(), row["valeur"]
            if not year.isdigit():
                errors.add(LineError(line, "annee", f"« {year} » n'est pas une année."))
                continue
            number = int(year)
            if number in self.report_years:
                self.years.add(number)
            if indicator not in self.indicators:
                errors.add(LineError(line, "indicateur", f"indicateur « {indicator} » inconnu du catalogue."))
                continue
            if theme and theme not in self.themes:
                errors.add(LineError(line, "theme", f"thématique « {theme} » inconnue."))
                continue
            matches = self.matches(number, siret)
            if not matches:
                errors.add(_NoReport(line, year, siret))
                continue
            reference = row.get("contrat", "").strip()
            if reference:
                matches = [m for m in matches if m[1] == reference]
                if not matches:
                    message = f"ce service n'a pas de rapport {year} pour le contrat « {reference} »."
                    errors.add(LineError(line, "contrat", message))
                    continue
            by_report.setdefault(matches[0][0], []).append((line, f"{indicator}|{theme}", value))
        if not by_report:
            return
        reports = Report.objects.select_for_update().select_related("contract").in_bulk(list(by_report))
        checked = [self.add_to_report(reports[report_id], items) for report_id, items in by_report.items()]
        self.changed += self.write([item for item in checked if item is not None])

    def add_to_report(self, report: Report, items: list[tuple[int, str, str]]):
        """Check the report's rows of the batch; returns what to write: (report, typed values, its cells)."""
        errors = self.errors
        state = self.reports.get(report.pk)
        if state is None:
            state = self.reports[report.pk] = _ReportState()
        fresh = []
        for line, key, value in items:
            number = self.number(key)
            first = state.line(number)
            if first:
                errors.add(LineError(line, None, f"même valeur déjà donnée ligne {abs(first)} (ligne en double)."))
                continue
            state.set_line(number, -line)  # refused until its value is read
            fresh.append((line, key, number, value))
        if not fresh or state.refused:
            return None
        if state.cells is None:
            if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
                message = (
                    f"le rapport {report.year} de ce service est « {report.get_status_display()} » : "
                    "il ne se modifie plus."
                )
                errors.add(LineError(fresh[0][0], "siret", message))
                state.refused = True
                return None
            state.cells = self.contract_cells.get(report.contract_id)
            if state.cells is None:  # a contract's reports share its layout (one per year, per service party)
                cells = report_layout(report).cells()
                state.cells = self.contract_cells[report.contract_id] = array("i", (self.number(c.key) for c in cells))
        layout = self.layout(state)
        cells = {cell.key: cell for cell in layout.cells()}
        typed: dict[str, object] = {}
        outside: dict[str, tuple[int, str]] = {}
        for line, key, number, value in fresh:
            cell = cells.get(key)
            if cell is None:
                outside[key] = (line, value)
                continue
            try:
                typed[key] = rules.parse(cell.indicator, value, cell.theme.label if cell.theme else None)
            except ValueError as error:
                errors.add(LineError(line, "valeur", str(error)))
                continue
            state.set_line(number, line)
        if outside:  # the refusal, worded by the service
            _typed, problems = check_values(report, {key: value for key, (_, value) in outside.items()}, layout)
            for problem in problems:
                column = "theme" if "ne fait pas partie" in problem.message else "valeur"
                errors.add(LineError(outside[problem.key][0], column, problem.message))
        return (report, typed, cells) if typed else None

    def write(self, checked: list[tuple[Report, dict[str, object], dict[str, Cell]]]) -> int:
        """The values of a batch's reports at once, with their history (`services.write_many`)."""
        return write_many(checked, by=self.by, channel=self.channel)

    def finish(self, rows: int) -> ImportResult:
        """Each report's rules, checked on the values it now holds (those of the file over those it had), as if
        all its rows had come at once; then the new versions, or the refusal."""
        accepted = [pk for pk, state in self.reports.items() if not state.refused]
        for start in range(0, len(accepted), CHECK_BATCH):
            chunk = accepted[start : start + CHECK_BATCH]
            reports = Report.objects.in_bulk(chunk)
            stored: dict[int, dict[str, str]] = {pk: {} for pk in chunk}
            values = Value.objects.filter(report_id__in=chunk).values_list(
                "report_id", "indicator_id", "theme_id", "integer", "date", "text"
            )
            for report_id, indicator, theme, integer, date, text in values.iterator():
                text = stored_text(Value(integer=integer, date=date, text=text))
                stored[report_id][f"{indicator}|{theme or ''}"] = text
            for pk in chunk:
                self.check_rules(reports[pk], self.reports[pk], stored.pop(pk))
            if not self.errors:  # a new version of each report imported into, as a save of the form makes
                Report.objects.filter(pk__in=chunk).update(version=F("version") + 1, updated_at=timezone.now())
        if self.errors:
            raise CsvFormatError(self.described(self.errors.sorted()), total=self.errors.total)
        return ImportResult(rows=rows, reports=len(accepted), changed=self.changed)

    def check_rules(self, report: Report, state: _ReportState, stored: dict[str, str]) -> None:
        raw = {}
        for number in state.cells:
            if state.line(number) > 0:
                key = self.cells[number].key
                raw[key] = stored.get(key, "")
        _typed, problems = check_values(report, raw, self.layout(state))
        for problem in problems:
            number = self.numbers.get(problem.key)
            line = state.line(number) if number is not None else 0
            if line < 0:
                continue  # its row was refused already, for its value
            column = "theme" if "ne fait pas partie" in problem.message else "valeur"
            self.errors.add(LineError(line or 1, column, problem.message))

    def described(self, errors: list) -> list[LineError]:
        sirets = {error.siret for error in errors if isinstance(error, _NoReport)}
        known = set()
        if sirets and self.by is None:
            reports = Report.objects.order_by().filter(year__in=self.years, spsti__siret__in=sirets)
            known = set(reports.values_list("spsti__siret", flat=True))
        out = []
        for error in errors:
            if isinstance(error, _NoReport) and self.by is not None:
                # A user is told the same whether the SIRET is unknown, owes no report or is someone else's:
                # the import must not reveal who owes a report outside the user's scope.
                message = f"aucun rapport {error.year} du SIRET « {error.siret} » que vous puissiez saisir."
                error = LineError(error.line, "siret", message)
            elif isinstance(error, _NoReport):
                message = (
                    f"aucun rapport {error.year} de ce service dans votre périmètre."
                    if error.siret in known
                    else f"aucun service sous contrat avec le SIRET « {error.siret} » ne doit de rapport pour "
                    f"{error.year}."
                )
                error = LineError(error.line, "siret", message)
            out.append(error)
        return out


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
    writer.writerow([*COLUMNS, "contrat"])
    for value in values.iterator(chunk_size=2000):
        text = stored_text(value)
        if text == "":
            continue
        if text[:1] in "=+-@":
            text = "'" + text  # neutralise spreadsheet formulas
        row = [year, value.report.spsti.siret, value.theme_id or "", value.indicator_id, text]
        writer.writerow(row + [value.report.contract.reference])
    return out.getvalue()


def template_csv(user, *, year: int) -> str:
    """A CSV to fill for the user's reports of `year` still being written (draft or returned): one row per cell
    of each report's form, its current value filled in, and a last column with the row's French label (ignored
    on import). Re-imported as it is, it changes nothing."""
    reports = (
        reports_visible_to(user)
        .filter(year=year, status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED])
        .select_related("spsti", "contract")
        .order_by("spsti__name", "contract__reference")
    )
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow([*COLUMNS, *OPTIONAL])
    for report in reports:
        current = {(v.indicator_id, v.theme_id or ""): stored_text(v) for v in report.values.all()}
        for cell in report_layout(report.contract).cells():
            theme = cell.theme.code if cell.theme else ""
            text = current.get((cell.indicator.code, theme), "")
            if text and text[0] in "=+-@":
                text = "'" + text  # neutralise spreadsheet formulas
            label = cell.indicator.label + (f" — {cell.theme.label}" if cell.theme else "")
            reference = report.contract.reference
            writer.writerow([year, report.spsti.siret, theme, cell.indicator.code, text, reference, label])
    return out.getvalue()
