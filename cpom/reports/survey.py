"""The DGT annual survey (« enquête annuelle ») layout: the contract annex's indicators asked once (contract article
« Indicateurs de suivi »). One file per year, CSV or XLSX, one row per service and national indicator of its
contract, with its national code « INDICATEUR.THEME » — described by docs/schemas/enquete-annuelle/schema.json.

The export lists every national cell of every report of the year in the user's scope, empty or not; the import
writes the filled cells through the long CSV import (`csv_values.import_values`): same rules, same French errors,
all or nothing, lines and columns named as in the survey file. Exported, imported and exported again, a file is
identical.
"""

import csv
import io
from dataclasses import replace

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from cpom.contracts.models import ContractIndicator
from cpom.core.csvfiles import CsvFormatError, LineError, read_csv
from cpom.core.exports import FORMULA_STARTS, neutralise
from cpom.indicators.enums import IndicatorScope

from .csv_values import COLUMNS as LONG_COLUMNS
from .csv_values import ImportResult, import_values
from .enums import Channel
from .layout import layout_version
from .models import Report
from .services import reports_visible_to, stored_text

COLUMNS = ["annee", "siret", "service", "code_national", "indicateur", "valeur"]
MAX_ROWS = 200_000
SHEET = "Enquête annuelle"
XLSX_MAGIC = b"PK"
# The long format's columns, as the survey file names them (errors are reported on the survey's columns).
COLUMN_OF_LONG = {"indicateur": "code_national", "theme": "code_national", "contrat": "code_national"}


def national_code(indicator: str, theme: str | None) -> str:
    return f"{indicator}.{theme or ''}"


def rows(user, year: int) -> list[list]:
    """The survey rows of `year` for the reports `user` may see (None: every report)."""
    reports = Report.objects.all() if user is None else reports_visible_to(user)
    reports = (
        reports.filter(year=year)
        .select_related("spsti", "contract")
        .prefetch_related("values")
        .order_by("spsti__siret", "contract__reference")
    )
    out = []
    cells_of: dict[int, list] = {}  # per contract: the cells of the version the year follows (DESIGN §7)
    for report in reports:
        values = {(v.indicator_id, v.theme_id or ""): stored_text(v) for v in report.values.all()}
        if report.contract_id not in cells_of:
            rows_of_version = ContractIndicator.objects.filter(version=layout_version(report)).select_related(
                "indicator"
            )
            cells_of[report.contract_id] = sorted(
                (row for row in rows_of_version if row.indicator.scope == IndicatorScope.NATIONAL),
                key=lambda row: (row.indicator_id, row.theme_id or ""),
            )
        cells = cells_of[report.contract_id]
        for row in cells:
            value = values.get((row.indicator_id, row.theme_id or ""), "")
            out.append(
                [
                    year,
                    report.spsti.siret,
                    report.spsti.name,
                    national_code(row.indicator_id, row.theme_id),
                    row.indicator.label,
                    value,
                ]
            )
    return out


def export_csv(user, year: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows(user, year):
        writer.writerow([neutralise(value) if isinstance(value, str) else value for value in row])
    return out.getvalue()


def export_xlsx(user, year: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(user, year):
        sheet.append([neutralise(value) if isinstance(value, str) else value for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text (a value typed « =2+3 » is not a formula)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_rows(content: bytes):
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise CsvFormatError([LineError(1, None, "le fichier XLSX est illisible.")]) from error
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = [str(name or "").strip().lower() for name in next(lines, ())]
    missing = [name for name in ("annee", "siret", "code_national", "valeur") if name not in header]
    if missing:
        raise CsvFormatError([LineError(1, None, f"colonne(s) manquante(s) : {', '.join(missing)}.")])
    for number, line in enumerate(lines, start=2):
        if number > MAX_ROWS:
            raise CsvFormatError([LineError(1, None, f"le fichier dépasse {MAX_ROWS:,} lignes ; découpez-le.")])
        cells = ["" if value is None else str(value) for value in line]
        yield number, dict(zip(header, cells, strict=False))


def _survey_rows(content: bytes):
    if content[:2] == XLSX_MAGIC:
        return _xlsx_rows(content)
    return read_csv(content, required=["annee", "siret", "code_national", "valeur"], optional=COLUMNS)


def import_survey(content: bytes, *, by=None) -> ImportResult:
    """Write the filled cells of a survey file (CSV or XLSX) into the year's reports. Raises CsvFormatError."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(LONG_COLUMNS)
    line_of: dict[int, int] = {1: 1}  # line of the long file → line of the survey file
    errors = []
    for line, row in _survey_rows(content):
        value = row.get("valeur", "")
        if value == "":
            continue  # not filled in: nothing to write
        if value[:1] == "'" and value[1:2] in FORMULA_STARTS:
            value = value[1:]  # the quote the export put before a text a spreadsheet would run as a formula
        indicator, dot, theme = row.get("code_national", "").strip().partition(".")
        if not dot or not indicator:
            errors.append(LineError(line, "code_national", "un code national s'écrit « INDICATEUR.THEME »."))
            continue
        writer.writerow([row.get("annee", ""), row.get("siret", ""), theme, indicator, value])
        line_of[len(line_of) + 1] = line
    if errors:
        raise CsvFormatError(errors)
    if len(line_of) == 1:
        raise CsvFormatError([LineError(1, None, "aucune valeur renseignée dans le fichier.")])
    try:
        return import_values(out.getvalue().encode(), by=by, channel=Channel.CSV)
    except CsvFormatError as error:
        raise CsvFormatError(
            [
                replace(e, line=line_of.get(e.line, e.line), column=COLUMN_OF_LONG.get(e.column, e.column))
                for e in error.errors
            ]
        ) from error


def is_survey(content: bytes) -> bool:
    """A survey file (XLSX, or CSV whose header names `code_national`) rather than the long CSV format."""
    if content[:2] == XLSX_MAGIC:
        return True
    first_line = content[:2000].split(b"\n", 1)[0]
    return b"code_national" in first_line.lower()
