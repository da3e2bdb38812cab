"""A table shown on a page is the same object that downloads as CSV or XLSX and goes into a Word file, so the
three never disagree. Views build `Table`s from the consolidation functions, then call `offer()`: it answers the
download asked in `?tableau=<slug>&format=csv|xlsx` or sets each table's download links."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404, HttpResponse, QueryDict

from .exports import csv_response, xlsx_response

TEXT, INTEGER, PERCENT, DECIMAL, DATE = "text", "integer", "percent", "decimal", "date"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = INTEGER
    group: str = ""  # a heading shared by neighbouring columns (exports write "group — label")

    @property
    def export_label(self) -> str:
        label = f"{self.group} — {self.label}" if self.group else self.label
        return f"{label} (%)" if self.kind == PERCENT else label


@dataclass(frozen=True)
class Cell:
    """A value, with the previous year's beside it when the table compares years."""

    value: Any
    previous: Any = None
    href: str = ""
    note: str = ""  # shown on the page instead of an empty value ("retenue, non déclarée")


@dataclass
class Table:
    slug: str
    caption: str
    columns: list[Column]  # the first column holds the row headings
    rows: list[list[Any]] = field(default_factory=list)  # values or Cells, one per column
    previous_label: str = ""  # "2024" when cells carry the previous year
    empty: str = "Aucune donnée."
    footer: list[Any] | None = None  # a total line, exported last
    row_keys: list[Any] = field(default_factory=list)  # what each row stands for, for charts drawn from the table
    csv_url: str = ""
    xlsx_url: str = ""

    @property
    def grouped(self) -> bool:
        return any(column.group for column in self.columns)

    def header_groups(self) -> list[tuple[str, int]]:
        """Top header row: (group label, span) runs; ungrouped columns span the two rows."""
        runs: list[tuple[str, int]] = []
        for column in self.columns:
            if column.group and runs and runs[-1][0] == column.group:
                runs[-1] = (column.group, runs[-1][1] + 1)
            else:
                runs.append((column.group, 1))
        return runs

    def page_rows(self) -> Iterator[list[tuple[Column, Cell]]]:
        for row in self.rows:
            yield [(column, _cell(value)) for column, value in zip(self.columns, row, strict=True)]

    def page_footer(self) -> list[tuple[Column, Cell]] | None:
        if self.footer is None:
            return None
        return [(column, _cell(value)) for column, value in zip(self.columns, self.footer, strict=True)]

    def export_header(self) -> list[str]:
        with_previous = self._columns_with_previous()
        header = []
        for index, column in enumerate(self.columns):
            header.append(column.export_label)
            if index in with_previous:
                header.append(f"{column.export_label} ({self.previous_label})")
        return header

    def export_kinds(self) -> list[str]:
        with_previous = self._columns_with_previous()
        return [kind for i, c in enumerate(self.columns) for kind in [c.kind] * (2 if i in with_previous else 1)]

    def export_rows(self) -> Iterator[list[Any]]:
        with_previous = self._columns_with_previous()
        for row in self._lines():
            line = []
            for index, value in enumerate(row):
                cell = _cell(value)
                line.append(cell.note if cell.value is None and cell.note else cell.value)
                if index in with_previous:
                    line.append(cell.previous)
            yield line

    def _lines(self) -> list[list[Any]]:
        return [*self.rows, *([self.footer] if self.footer is not None else [])]

    def _columns_with_previous(self) -> set[int]:
        """Columns (not the first) where some cell carries the previous year: they get a column of their own in
        exports. One pass over the rows, whatever their number."""
        if not self.previous_label:
            return set()
        return {
            index
            for row in self._lines()
            for index, value in enumerate(row)
            if index and isinstance(value, Cell) and value.previous is not None
        }


def _cell(value: Any) -> Cell:
    return value if isinstance(value, Cell) else Cell(value)


def export(table: Table, fmt: str, filename: str) -> HttpResponse:
    header, kinds, rows = table.export_header(), table.export_kinds(), list(table.export_rows())
    if fmt == "xlsx":
        return xlsx_response(filename, header, rows, kinds=kinds, title=table.caption)
    return csv_response(filename, header, rows, kinds=kinds)


def offer(query: QueryDict, tables: Sequence[Table], filename: str) -> HttpResponse | None:
    """The export asked in the query string (404 for an unknown table), else None after setting every table's
    download links, which keep the page's own parameters (year, switch)."""
    fmt = query.get("format")
    if fmt in ("csv", "xlsx"):
        slug = query.get("tableau", tables[0].slug if tables else "")
        table = next((t for t in tables if t.slug == slug), None)
        if table is None:
            raise Http404("Tableau inconnu sur cette page.")
        # The file's name says what it holds: the page's year and scope (`filename`), the table, the switch.
        counted = "-avec-rapports-transmis" if query.get("transmis") == "1" else ""
        return export(table, fmt, f"{filename}-{table.slug}{counted}")
    for table in tables:
        params = query.copy()
        params["tableau"] = table.slug
        params["format"] = "csv"
        table.csv_url = "?" + params.urlencode()
        params["format"] = "xlsx"
        table.xlsx_url = "?" + params.urlencode()
    return None


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def evolution(now: Any, before: Any) -> float | None:
    """Relative change from the previous year (0.25 = +25 %); None when there is nothing to compare."""
    if not isinstance(now, int | float) or not isinstance(before, int | float) or not before:
        return None
    return (now - before) / before
