"""Formatting of table cells on pages, the French way: 1 234 ; 73,5 % ; 30/06/2026."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


def tenths(value: float) -> Decimal:
    """Rounded to one decimal, half up (10/18 → 55,6, not the 55,5 that number_format's truncation gave)."""
    return Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@register.filter
def cell_text(value, kind: str = "") -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.date):
        return date_format(value, "d/m/Y")
    if kind == "percent" and isinstance(value, int | float):
        return f"{number_format(tenths(value * 100), 1, force_grouping=True)} %"
    if isinstance(value, float):
        return number_format(tenths(value), 1, force_grouping=True)
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    return str(value)


@register.filter
def signed_percent(value) -> str:
    """An evolution: +12,5 %, −3,0 %, or — when there is nothing to compare."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}{number_format(tenths(abs(value) * 100), 1, force_grouping=True)} %"


def _cell_html(column, cell, previous_label: str, heading: bool) -> str:
    if cell.value is None and cell.note:
        text = escape(cell.note)
    else:
        text = escape(cell_text(cell.value, column.kind))
    if cell.href:
        text = f'<a href="{escape(cell.href)}">{text}</a>'
    if cell.previous is not None:
        text += (
            f'<span class="cpom-previous"> (<span class="fr-sr-only">{escape(previous_label)} : </span>'
            f"{escape(cell_text(cell.previous, column.kind))})</span>"
        )
    if heading:
        return f'<th scope="row">{text}</th>'
    return f'<td class="cpom-num">{text}</td>' if column.kind != "text" else f"<td>{text}</td>"


@register.simple_tag
def table_lines(table, footer: bool = False) -> str:
    """The body rows (or the footer row) of a core.tables.Table, built in Python: a dashboard table can hold
    thousands of cells, which the template language renders several times slower."""
    lines = ([table.page_footer()] if table.footer is not None else []) if footer else table.page_rows()
    html = []
    for line in lines:
        cells = "".join(
            _cell_html(column, cell, table.previous_label, index == 0) for index, (column, cell) in enumerate(line)
        )
        html.append(f"<tr>{cells}</tr>")
    return mark_safe("".join(html))  # noqa: S308 — every value above went through escape()
