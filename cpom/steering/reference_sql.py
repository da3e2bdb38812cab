"""Hand-written SQL computing the same figures as `consolidation`, one query per dashboard. It is the yardstick of
the benchmark (our consolidation must stay within twice its time) and a second, independent computation that the
tests compare with the consolidation. Plain SQL that runs unchanged on SQLite and PostgreSQL."""

import datetime as dt
from collections import defaultdict

from django.db import connection

from cpom.contracts.enums import SIGNED_STATUSES

from .consolidation import NATIONAL, RegionFigures, ThemeRow

PDP = ("PDP_CELLULE_DATE", "PDP_SALARIES_ACCOMPAGNES", "PDP_SALARIES_PARCOURS")


def _statuses(include_submitted: bool) -> list[str]:
    return ["valide", "transmis"] if include_submitted else ["valide"]


def _in(values) -> str:
    return ", ".join(["%s"] * len(values))


def _tableau1_ctes(include_submitted: bool, region_id: str | None, s: str = "") -> str:
    """CTEs approved{s}, themes{s}, retaining{s}, counted{s}, supported{s}, pdp{s}, totals{s} of one year, whose
    parameters `_tableau1_params` gives in order."""
    signed = sorted(SIGNED_STATUSES)
    statuses = _statuses(include_submitted)
    region = "AND o.region_id = %s" if region_id else ""
    return f"""
    approved{s} AS (
        SELECT o.id, o.region_id FROM organisations_spsti sp
        JOIN organisations_organisation o ON o.id = sp.organisation_ptr_id
        WHERE EXISTS (SELECT 1 FROM organisations_approval a
                      WHERE a.spsti_id = sp.organisation_ptr_id AND a."start" <= %s AND a."end" >= %s) {region}
    ),
    themes{s} AS (SELECT code FROM indicators_theme WHERE scope = 'prevention'),
    retaining{s} AS (
        SELECT ac.theme_id AS theme, ap.region_id, COUNT(DISTINCT ap.id) AS n
        FROM approved{s} ap
        JOIN contracts_contractparty p ON p.organisation_id = ap.id AND p.role = 'spsti'
        JOIN contracts_contract c ON c.id = p.contract_id
        JOIN contracts_contractversion cv ON cv.contract_id = c.id AND cv.status = 'signee'
        JOIN contracts_axis ax ON ax.version_id = cv.id AND ax.kind = 'prevention'
        JOIN contracts_action ac ON ac.axis_id = ax.id
        WHERE c.status IN ({_in(signed)}) AND c."start" <= %s AND c."end" >= %s
          AND cv.effective_on <= %s AND (cv.superseded_on IS NULL OR cv.superseded_on > %s)
          AND ac.theme_id IN (SELECT code FROM themes{s})
        GROUP BY ac.theme_id, ap.region_id
    ),
    counted{s} AS (
        SELECT r.id, r.spsti_id, o.region_id FROM reports_report r
        JOIN organisations_organisation o ON o.id = r.spsti_id
        WHERE r.year = %s AND r.status IN ({_in(statuses)}) {region}
    ),
    supported{s} AS (
        SELECT v.theme_id AS theme, cr.region_id, SUM(v.integer) AS n
        FROM reports_value v JOIN counted{s} cr ON cr.id = v.report_id
        WHERE v.indicator_id = 'ETAB_ACCOMPAGNES' AND v.theme_id IN (SELECT code FROM themes{s})
        GROUP BY v.theme_id, cr.region_id
    ),
    pdp{s} AS (
        SELECT cr.region_id,
               COUNT(DISTINCT CASE WHEN v.indicator_id = 'PDP_CELLULE_DATE' AND v.date <= %s
                                   THEN cr.spsti_id END) AS cells,
               SUM(CASE WHEN v.indicator_id = 'PDP_SALARIES_ACCOMPAGNES' THEN v.integer END) AS supported,
               SUM(CASE WHEN v.indicator_id = 'PDP_SALARIES_PARCOURS' THEN v.integer END) AS pathway
        FROM reports_value v JOIN counted{s} cr ON cr.id = v.report_id
        WHERE v.indicator_id IN ({_in(PDP)})
        GROUP BY cr.region_id
    ),
    retaining_pdp{s} AS (
        SELECT ap.region_id, COUNT(DISTINCT ap.id) AS n
        FROM approved{s} ap
        JOIN contracts_contractparty p ON p.organisation_id = ap.id AND p.role = 'spsti'
        JOIN contracts_contract c ON c.id = p.contract_id
        WHERE c.status IN ({_in(signed)}) AND c."start" <= %s AND c."end" >= %s
          AND EXISTS (
              SELECT 1 FROM contracts_contractversion cv JOIN contracts_axis ax ON ax.version_id = cv.id
              WHERE cv.contract_id = c.id AND cv.status = 'signee' AND ax.kind = 'pdp'
                AND cv.effective_on <= %s AND (cv.superseded_on IS NULL OR cv.superseded_on > %s))
        GROUP BY ap.region_id
    ),
    totals{s} AS (SELECT region_id, COUNT(*) AS n FROM approved{s} GROUP BY region_id)"""


def _tableau1_params(year: int, include_submitted: bool, region_id: str | None) -> list:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    region = [region_id] if region_id else []
    return [
        end,
        start,
        *region,
        *sorted(SIGNED_STATUSES),
        end,
        start,
        end,  # the version in force on 31/12/Y (DESIGN §7)
        end,
        year,
        *_statuses(include_submitted),
        *region,
        end,
        *PDP,
        *sorted(SIGNED_STATUSES),
        end,
        start,
        end,  # the version in force on 31/12/Y
        end,
    ]


def _tableau1_select(s: str = "") -> str:
    return f"""
    SELECT t.region_id AS a, th.code AS b, t.n AS c, COALESCE(re.n, 0) AS d, COALESCE(su.n, 0) AS e,
           COALESCE(pd.cells, 0) AS f, COALESCE(pd.supported, 0) AS g, COALESCE(pd.pathway, 0) AS h,
           COALESCE(rp.n, 0) AS i
    FROM totals{s} t CROSS JOIN themes{s} th
    LEFT JOIN retaining{s} re ON re.region_id = t.region_id AND re.theme = th.code
    LEFT JOIN supported{s} su ON su.region_id = t.region_id AND su.theme = th.code
    LEFT JOIN pdp{s} pd ON pd.region_id = t.region_id
    LEFT JOIN retaining_pdp{s} rp ON rp.region_id = t.region_id"""


def _figures(rows) -> dict[str, RegionFigures]:
    figures: dict[str, RegionFigures] = defaultdict(RegionFigures)
    for region, theme, total, retaining, supported, cells, pdp_supported, pathway, retaining_pdp in rows:
        figures[region].themes[theme] = ThemeRow(total, retaining, supported)
        figures[region].services_retaining_pdp = retaining_pdp
        figures[region].services_with_pdp_cell = cells
        figures[region].employees_supported_pdp = pdp_supported
        figures[region].employees_in_coordinated_pathway = pathway
    nation = RegionFigures()
    for region in figures.values():
        for theme, row in region.themes.items():
            total = nation.themes.setdefault(theme, ThemeRow())
            total.total_services += row.total_services
            total.services_retaining_theme += row.services_retaining_theme
            total.establishments_supported += row.establishments_supported
        nation.services_retaining_pdp += region.services_retaining_pdp
        nation.services_with_pdp_cell += region.services_with_pdp_cell
        nation.employees_supported_pdp += region.employees_supported_pdp
        nation.employees_in_coordinated_pathway += region.employees_in_coordinated_pathway
    return {**figures, NATIONAL: nation}


def tableau1_sql(year: int, *, include_submitted: bool = False, region_id: str | None = None):
    """`consolidation.tableau1`, in one query."""
    sql = f"WITH {_tableau1_ctes(include_submitted, region_id)} {_tableau1_select()}"
    with connection.cursor() as cursor:
        cursor.execute(sql, _tableau1_params(year, include_submitted, region_id))
        return _figures(cursor.fetchall())


def regional_sql(year: int, region_id: str, *, years: list[int], include_submitted: bool = False) -> dict:
    """The consolidated figures of a regional dashboard in one query: Tableau 1 of the year and of the year
    before (for that region), the totals per indicator and theme over `years`, and the service × theme matrix.
    Rows are tagged by kind and split afterwards."""
    statuses = _statuses(include_submitted)
    signed = sorted(SIGNED_STATUSES)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    ctes = _tableau1_ctes(include_submitted, region_id)
    before_ctes = _tableau1_ctes(include_submitted, region_id, "_b")
    sql = f"""
    WITH {ctes}, {before_ctes},
    year_totals AS (
        SELECT v.indicator_id, COALESCE(v.theme_id, '') AS theme, r.year, SUM(v.integer) AS total
        FROM reports_value v
        JOIN reports_report r ON r.id = v.report_id
        JOIN organisations_organisation o ON o.id = r.spsti_id
        WHERE r.year IN ({_in(years)}) AND r.status IN ({_in(statuses)}) AND o.region_id = %s
          AND v.integer IS NOT NULL
        GROUP BY v.indicator_id, COALESCE(v.theme_id, ''), r.year
    ),
    matrix AS (
        SELECT DISTINCT p.organisation_id AS service, o.name, ac.theme_id AS theme
        FROM contracts_contractparty p
        JOIN contracts_contract c ON c.id = p.contract_id
        JOIN organisations_organisation o ON o.id = p.organisation_id
        JOIN contracts_contractversion cv ON cv.contract_id = c.id AND cv.status = 'signee'
        JOIN contracts_axis ax ON ax.version_id = cv.id AND ax.kind = 'prevention'
        JOIN contracts_action ac ON ac.axis_id = ax.id
        WHERE p.role = 'spsti' AND o.region_id = %s AND c.status IN ({_in(signed)})
          AND c."start" <= %s AND c."end" >= %s AND ac.theme_id IN (SELECT code FROM themes)
          AND cv.effective_on <= %s AND (cv.superseded_on IS NULL OR cv.superseded_on > %s)
    ),
    matrix_values AS (
        SELECT cr.spsti_id AS service, v.theme_id AS theme, SUM(v.integer) AS total
        FROM reports_value v JOIN counted cr ON cr.id = v.report_id
        WHERE v.indicator_id = 'ETAB_ACCOMPAGNES'
        GROUP BY cr.spsti_id, v.theme_id
    )
    SELECT 'now' AS kind, t.* FROM ({_tableau1_select()}) t
    UNION ALL SELECT 'before', b.* FROM ({_tableau1_select("_b")}) b
    UNION ALL SELECT 'total', indicator_id, theme, year, total, 0, 0, 0, 0, 0 FROM year_totals
    UNION ALL SELECT 'matrix', m.name, m.theme, m.service, mv.total, 0, 0, 0, 0, 0
        FROM matrix m LEFT JOIN matrix_values mv ON mv.service = m.service AND mv.theme = m.theme
    """
    params = [
        *_tableau1_params(year, include_submitted, region_id),
        *_tableau1_params(year - 1, include_submitted, region_id),
        *years,
        *statuses,
        region_id,
        region_id,
        *signed,
        end,
        start,
        end,
        end,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    totals: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    matrix: dict[str, dict[str, int | None]] = defaultdict(dict)
    for kind, *rest in rows:
        if kind == "total":
            indicator, theme, row_year, total = rest[:4]
            totals[(indicator, theme)][int(row_year)] = total
        elif kind == "matrix":
            name, theme, _, total = rest[:4]
            matrix[name][theme] = total
    return {
        "now": _figures([rest for kind, *rest in rows if kind == "now"]),
        "before": _figures([rest for kind, *rest in rows if kind == "before"]),
        "totals": dict(totals),
        "matrix": dict(matrix),
    }
