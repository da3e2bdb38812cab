"""SIRET: 14 digits, Luhn key, La Poste's own key, spaces typed by users removed."""

import pytest
from django.core.exceptions import ValidationError

from cpom.organisations.forms import SiretField
from cpom.organisations.models import Spsti
from cpom.organisations.siret import luhn_complete, luhn_is_valid, normalise_siret, siret_error
from cpom.organisations.validators import validate_siret

VALID = "73282932000074"  # a real establishment, Luhn key 4


def test_a_siret_with_a_correct_luhn_key_is_accepted():
    assert siret_error(VALID) is None


@pytest.mark.parametrize("value", ["7328293200007", "732829320000745", "", "7328293200007A", "73282932000-74"])
def test_a_siret_must_have_exactly_fourteen_digits(value):
    assert siret_error(value) == f"Le SIRET « {value} » doit compter exactement 14 chiffres."


def test_a_siret_with_a_wrong_luhn_key_is_refused_in_french():
    assert (
        siret_error("73282932000075") == "Le SIRET « 73282932000075 » n'a pas une clé de contrôle valide (clé de Luhn)."
    )


def test_luhn_complete_appends_the_only_key_that_makes_the_number_valid():
    assert luhn_complete("7328293200007") == VALID
    completed = luhn_complete("8000000000042")
    assert luhn_is_valid(completed)
    assert [luhn_is_valid(completed[:-1] + digit) for digit in "0123456789"].count(True) == 1


def test_a_la_poste_establishment_is_checked_with_la_poste_key_not_luhn():
    # La Poste (SIREN 356 000 000): the digits add up to a multiple of 5, whatever the Luhn key says.
    assert not luhn_is_valid("35600000000015")
    assert siret_error("35600000000015") is None  # 3+5+6+1+5 = 20
    assert siret_error("35600000049837") is None  # 3+5+6+4+9+8+3+7 = 45
    assert siret_error("35600000000016") == "Le SIRET « 35600000000016 » n'a pas une clé de contrôle valide."


def test_la_poste_head_office_keeps_its_ordinary_luhn_key():
    # 356 000 000 00048 is registered with a Luhn key although its digits add up to 26.
    assert luhn_is_valid("35600000000048")
    assert siret_error("35600000000048") is None


def test_spaces_typed_between_the_groups_are_removed():
    assert normalise_siret(" 732 829 320 00074 ") == VALID
    assert normalise_siret("732\u00a0829\u00a0320\u202f00074") == VALID
    assert SiretField().clean("732 829 320 00074") == VALID


def test_the_form_field_refuses_a_wrong_key_with_the_same_french_message():
    with pytest.raises(ValidationError) as error:
        SiretField().clean("732 829 320 00075")
    assert error.value.messages == ["Le SIRET « 73282932000075 » n'a pas une clé de contrôle valide (clé de Luhn)."]


def test_the_model_refuses_an_invalid_siret_too():
    with pytest.raises(ValidationError) as error:
        validate_siret("12345678901234")
    assert "clé de contrôle" in error.value.messages[0]
    assert validate_siret in Spsti._meta.get_field("siret").validators
