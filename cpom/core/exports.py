"""Tables as CSV and XLSX downloads. Text cells that a spreadsheet would run as a formula (starting with = + - @)
are neutralised; numbers stay numbers and dates are dates, shown the French way in XLSX."""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else neutralise(value) for value in row]
        )
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = "Données"
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralise(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = "# ##0"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "DD/MM/YYYY"
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def table_response(fmt: str, filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    return (xlsx_response if fmt == "xlsx" else csv_response)(filename, header, list(rows))
