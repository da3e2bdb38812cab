"""Data of the DSFR chart components (`@gouvfr/dsfr-chart`, vendored), drawn from the table shown under each
chart, so the picture and its accessible table always give the same figures. The components read JSON strings in
their attributes; labels passed to them come from the reference data only (they are written as HTML in tooltips)."""

import json

from django.utils import timezone

from cpom.core.tables import Cell, Table

# The map component keys regions by ISO 3166-2 letter codes for mainland France and Corsica, and by department
# number overseas; our reference data uses INSEE region codes.
MAP_KEYS = {
    "11": "IDF",
    "24": "CVL",
    "27": "BFC",
    "28": "NOR",
    "32": "HDF",
    "44": "GES",
    "52": "PDL",
    "53": "BRE",
    "75": "NAQ",
    "76": "OCC",
    "84": "ARA",
    "93": "PAC",
    "94": "20R",
    "01": "971",
    "02": "972",
    "03": "973",
    "04": "974",
    "06": "976",
}

TREND_INDICATOR = "ETAB_ACCOMPAGNES"


def _value(cell):
    return cell.value if isinstance(cell, Cell) else cell


def coverage_map(coverage: Table) -> dict | None:
    """Share (%) of approved services under a contract in force, per region."""
    data = {}
    for code, row in zip(coverage.row_keys, coverage.rows, strict=True):
        share = _value(row[3])
        if code in MAP_KEYS and share is not None:
            data[MAP_KEYS[code]] = round(share * 100, 1)
    if not data:
        return None
    national = _value(coverage.footer[3]) if coverage.footer else None
    return {
        "kind": "map",
        "name": "Part des services agréés sous contrat en vigueur (%)",
        "value": f"{national * 100:.1f}" if national is not None else "",
        "date": timezone.localdate().strftime("%d/%m/%Y"),
        "data": json.dumps(data),
        "description": "Carte des régions colorées selon la part des services agréés sous contrat en vigueur.",
    }


def trend_lines(trend: Table) -> dict | None:
    """Establishments supported per prevention theme over the years of the trend table."""
    years = [column.label for column in trend.columns[2:-1]]
    series, names = [], []
    for (indicator, theme), row in zip(trend.row_keys, trend.rows, strict=True):
        if indicator == TREND_INDICATOR and theme:
            series.append([value or 0 for value in row[2:-1]])
            names.append(row[1])
    if not series:
        return None
    # Years before the first report are left out rather than drawn as zeros.
    first = min(index for row in series for index, value in enumerate(row) if value) if any(map(any, series)) else 0
    years, series = years[first:], [row[first:] for row in series]
    return {
        "kind": "line",
        "x": json.dumps([years] * len(series)),
        "y": json.dumps(series),
        "names": json.dumps(names),
        "unit": "établissements",
        "description": "Courbes des établissements accompagnés par thématique et par année.",
    }


def theme_bars(themes: Table, year: int) -> dict | None:
    """Services retaining each theme, this year and the previous one."""
    labels = [row[0] for row in themes.rows]
    now = [_value(row[2]) or 0 for row in themes.rows]
    before = [row[2].previous or 0 if isinstance(row[2], Cell) else 0 for row in themes.rows]
    if not any(now) and not any(before):
        return None
    return {
        "kind": "bar",
        "x": json.dumps([labels, labels]),
        "y": json.dumps([now, before]),
        "names": json.dumps([str(year), str(year - 1)]),
        "unit": "services",
        "description": "Barres du nombre de services retenant chaque thématique, cette année et l'an passé.",
    }


def national(coverage: Table, trend: Table) -> dict:
    return {"map": coverage_map(coverage), "trend": trend_lines(trend)}


def regional(themes: Table, trend: Table, year: int) -> dict:
    return {"themes": theme_bars(themes, year), "trend": trend_lines(trend)}
