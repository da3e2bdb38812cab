"""generate_scale: the demo copied N times keeps every figure proportional and every page's query count."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cpom.contracts.models import Contract
from cpom.demo.scale import _luhn_siret, scale
from cpom.organisations.models import Spsti
from cpom.organisations.validators import validate_siret
from cpom.reports.models import Report, Value
from cpom.steering.consolidation import NATIONAL, services_under_contract, tableau1
from tests.steering.test_consolidation import YEAR

pytestmark = pytest.mark.django_db


def test_copies_multiply_every_figure_of_the_dashboards(year_of_reports):
    before = tableau1(YEAR, include_submitted=True)
    counts = (Spsti.objects.count(), Contract.objects.count(), Report.objects.count(), Value.objects.count())
    result = scale(3)
    assert result.counts == {
        "services": 3 * counts[0],
        "contrats": 3 * counts[1],
        "rapports": 3 * counts[2],
        "valeurs": 3 * counts[3],
    }
    after = tableau1(YEAR, include_submitted=True)
    for key in ("53", "11", NATIONAL):
        assert after[key].employees_supported_pdp == 3 * before[key].employees_supported_pdp
        assert after[key].services_with_pdp_cell == 3 * before[key].services_with_pdp_cell
        for theme, row in before[key].themes.items():
            assert after[key].themes[theme].establishments_supported == 3 * row.establishments_supported
            assert after[key].themes[theme].services_retaining_theme == 3 * row.services_retaining_theme
    assert services_under_contract(YEAR)[NATIONAL] == (9, 12)


def test_copied_services_have_their_own_valid_siret_and_region(year_of_reports):
    scale(2)
    sirets = list(Spsti.objects.values_list("siret", flat=True))
    assert len(sirets) == len(set(sirets))
    for siret in sirets:
        validate_siret(siret)
    copy = Spsti.objects.get(name__endswith="(2)", headquarters_department_id="35")
    assert copy.region_id == "53" and list(copy.departments.values_list("code", flat=True)) == ["35"]


@pytest.mark.parametrize("prefix", ["0000000000000", "9000100000123", "1234567890123"])
def test_a_siret_is_completed_with_its_luhn_key(prefix):
    siret = _luhn_siret(prefix)
    assert siret.startswith(prefix) and len(siret) == 14
    validate_siret(siret)


def test_the_command_refuses_a_database_that_already_holds_services(year_of_reports):
    with pytest.raises(CommandError, match="base vide et séparée"):
        call_command("generate_scale", "--factor", "2")
    with pytest.raises(CommandError, match="entre 1 et 1000"):
        call_command("generate_scale", "--factor", "0")


def test_earlier_years_are_backfilled_from_the_earliest_one(year_of_reports):
    from cpom.demo.scale import backfill_years

    earliest = Report.objects.filter(year=YEAR)
    added = backfill_years(3)
    assert added == 2 * earliest.count()
    assert sorted(set(Report.objects.values_list("year", flat=True))) == [YEAR - 2, YEAR - 1, YEAR]
    assert set(Report.objects.filter(year__lt=YEAR).values_list("status", flat=True)) == {"valide"}
    assert tableau1(YEAR - 1)[NATIONAL].themes["TMS"].establishments_supported == round(10 * 0.92) + round(
        5 * 0.92
    ) + round(100 * 0.92)
    assert backfill_years(3) == 0, "idempotent: the years are there"
