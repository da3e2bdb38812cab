"""Formatting of table cells on pages, the French way: 1 234 ; 73,5 % ; 30/06/2026."""

import datetime as dt

from django import template
from django.utils.formats import date_format, number_format

register = template.Library()


@register.filter
def cell_text(value, kind: str = "") -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.date):
        return date_format(value, "d/m/Y")
    if kind == "percent" and isinstance(value, int | float):
        return f"{number_format(value * 100, 1, force_grouping=True)} %"
    if isinstance(value, float):
        return number_format(value, 1, force_grouping=True)
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    return str(value)


@register.filter
def signed_percent(value) -> str:
    """An evolution: +12,5 %, −3,0 %, or — when there is nothing to compare."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}{number_format(abs(value) * 100, 1, force_grouping=True)} %"
