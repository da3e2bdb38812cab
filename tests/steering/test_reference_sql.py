"""The benchmark's hand-written SQL gives the figures of the consolidation module: two independent computations
of the same definitions agree on the hand-computed year."""

import pytest

from cpom.reports.models import Report, Value
from cpom.steering.consolidation import indicator_totals, service_theme_matrix, tableau1
from cpom.steering.reference_sql import regional_sql, tableau1_sql
from tests.steering.test_consolidation import YEAR

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("include_submitted", [False, True])
def test_the_national_sql_gives_tableau1(year_of_reports, include_submitted):
    assert tableau1_sql(YEAR, include_submitted=include_submitted) == tableau1(
        YEAR, include_submitted=include_submitted
    )


@pytest.mark.parametrize("include_submitted", [False, True])
def test_the_regional_sql_gives_the_regional_figures(year_of_reports, services, include_submitted):
    current = Report.objects.get(spsti=services["A"], year=YEAR)
    before = Report.objects.create(contract=current.contract, spsti=services["A"], year=YEAR - 1, status="valide")
    Value.objects.create(report=before, indicator_id="ETAB_ACCOMPAGNES", theme_id="TMS", integer=8)
    years = list(range(YEAR - 4, YEAR + 1))
    sql = regional_sql(YEAR, "53", years=years, include_submitted=include_submitted)
    assert sql["now"] == tableau1(YEAR, include_submitted=include_submitted, region_id="53")
    assert sql["before"] == tableau1(YEAR - 1, include_submitted=include_submitted, region_id="53")
    assert sql["totals"] == indicator_totals(years, region_id="53", include_submitted=include_submitted)
    matrix = service_theme_matrix(YEAR, "53", include_submitted=include_submitted)
    assert sql["matrix"] == {row.service: row.themes for row in matrix}
    assert sql["totals"][("ETAB_ACCOMPAGNES", "TMS")][YEAR - 1] == 8
