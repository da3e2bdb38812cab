"""Tables as CSV and XLSX downloads. Text cells that a spreadsheet would run as a formula (starting with = + - @)
are neutralised; numbers stay numbers and dates are dates, written the French way (1 234,5 ; 30/06/2026)."""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font

from .text import for_xml

FORMULA_STARTS = ("=", "+", "-", "@")
XLSX_FORMATS = {"integer": "# ##0", "decimal": "# ##0.0", "percent": "0.0 %", "date": "DD/MM/YYYY"}


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def text_cell(sheet, row: int, column: int, value):
    """Writes `value` in the cell; a text is always stored as text — never run as a formula, whatever it starts
    with (= + - @) — and without the characters XML cannot hold. Numbers and dates are written as they are."""
    cell = sheet.cell(row, column)
    cell.value = for_xml(value)
    if isinstance(cell.value, str):
        cell.data_type = TYPE_STRING
    return cell


def _csv_value(value, kind: str | None):
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "oui" if value else "non"
    if kind == "percent" and isinstance(value, int | float):
        return f"{value * 100:.1f}".replace(".", ",")
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return neutralise(value)


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence], *, kinds: Sequence[str] | None = None
) -> HttpResponse:
    """Semicolon-separated UTF-8 with BOM and decimal commas, as French spreadsheets open it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow([neutralise(label) for label in header])
    for row in rows:
        writer.writerow([_csv_value(value, kinds[i] if kinds else None) for i, value in enumerate(row)])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    kinds: Sequence[str] | None = None,
    title: str = "",
) -> HttpResponse:
    """With a `title`, the sheet opens with it (row 1) and a blank row: the header is then on row 3."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Données"
    if title:
        sheet.append([for_xml(neutralise(title))])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([])
    sheet.append([for_xml(neutralise(label)) for label in header])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([for_xml(neutralise(value)) for value in row])
        for index, cell in enumerate(sheet[sheet.max_row]):
            kind = kinds[index] if kinds else None
            if isinstance(cell.value, bool):
                continue
            if isinstance(cell.value, int | float):
                cell.number_format = XLSX_FORMATS.get(kind or "", XLSX_FORMATS["integer"])
                if kind is None and isinstance(cell.value, float):
                    cell.number_format = XLSX_FORMATS["decimal"]
            elif isinstance(cell.value, dt.date):
                cell.number_format = XLSX_FORMATS["date"]
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def table_response(fmt: str, filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    return (xlsx_response if fmt == "xlsx" else csv_response)(filename, header, list(rows))
