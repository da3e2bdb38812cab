"""The `reference` fixture gives every test the same reference data, loaded once and replayed."""

import pytest

from cpom.organisations.enums import OrganisationKind
from cpom.organisations.models import Organisation
from cpom.territory.models import Department, Region

from ..factories import SpstiFactory


@pytest.mark.parametrize("attempt", [1, 2])
def test_each_test_gets_the_whole_reference_again(reference, attempt):
    assert Region.objects.count() == 18
    assert Department.objects.count() == 101
    assert Organisation.objects.filter(kind=OrganisationKind.CAISSE).count() == 21
    assert Organisation.objects.get(code="CARSAT-BR").departments.count() == 4
    assert Organisation.objects.get(code="ETAT-53").name == "DREETS Bretagne"
    # New rows get fresh keys after the replay (sequences are reset past the replayed rows).
    spsti = SpstiFactory(department="35")
    assert spsti.pk > Organisation.objects.exclude(pk=spsti.pk).latest("pk").pk


@pytest.mark.django_db(transaction=True)
def test_the_reference_is_replayed_in_a_transactional_test_too(reference):
    assert Organisation.objects.filter(code__startswith="ETAT-").count() == 18
    assert SpstiFactory(department="29").region_id == "53"
